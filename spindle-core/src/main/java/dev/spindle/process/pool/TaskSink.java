package dev.spindle.process.pool;

import java.util.List;

/**
 * Where a task's outcome goes: a single task's future, a {@code map}'s list, an {@code imap}'s
 * iterator. {@link #succeeded} and {@link #failed} are called on the pool's result thread, once per task.
 */
interface TaskSink {

    /**
     * The outcome, told first and on whatever thread settled the task, before {@link #succeeded}
     * or {@link #failed} runs on the result thread: for a caller blocked in {@code get()}, which
     * then need not wait for the result thread. Must not block.
     */
    default void arrived(List<Object> values, Throwable cause) {
    }

    /** The task's chunk returned {@code values}, one per item, in order. */
    void succeeded(PoolTask task, List<Object> values);

    /** The task failed: the task threw, its worker died, it timed out, its result was undecodable, or it was cancelled. */
    void failed(PoolTask task, Throwable cause);
}
