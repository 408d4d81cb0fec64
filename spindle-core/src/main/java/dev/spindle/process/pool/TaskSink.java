package dev.spindle.process.pool;

import java.util.List;

/**
 * Where a task's outcome goes: a single task's future, a {@code map}'s list, an {@code imap}'s
 * iterator. Called once per task: for a result, on the thread that read it from the worker's link;
 * for a failure, on the pool's result thread. Several threads may call one sink at once.
 */
interface TaskSink {

    /** The task's chunk returned {@code values}, one per item, in order. */
    void succeeded(PoolTask task, List<Object> values);

    /** The task failed: the task threw, its worker died, it timed out, its result was undecodable, or it was cancelled. */
    void failed(PoolTask task, Throwable cause);
}
