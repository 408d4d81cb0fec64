package dev.spindle.process.pool;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One unit the pool schedules and that fails alone: a single call, or one chunk of a {@code map}.
 * It is settled exactly once: by its result, or by its failure, timeout or cancellation,
 * whichever comes first; what comes later is dropped.
 */
final class PoolTask {

    final long id;
    final Job job;
    /** The chunk's arguments, as {@link dev.spindle.process.wire.ValueCodec#writeAll} wrote them. */
    final byte[] arguments;
    /** The task's timeout in nanoseconds, 0 for none. */
    final long timeoutNanos;
    final TaskSink sink;
    /** Which chunk of its call this is, for sinks that put results in order. */
    final int index;
    private final AtomicBoolean settled = new AtomicBoolean();

    // Guarded by the dispatcher's lock.
    long sentNanos;
    /** Its number among the tasks sent to its worker. */
    long seq;
    /** When it became the task its worker runs (as the pool sees it). */
    long startedNanos;
    /** A recall of it has been sent and not yet answered. */
    boolean recalling;
    ScheduledFuture<?> timer;

    PoolTask(long id, Job job, byte[] arguments, long timeoutNanos, TaskSink sink, int index) {
        this.id = id;
        this.job = job;
        this.arguments = arguments;
        this.timeoutNanos = timeoutNanos;
        this.sink = sink;
        this.index = index;
    }

    /** Claims the right to settle the task; true once, for the first caller. */
    boolean settle() {
        return settled.compareAndSet(false, true);
    }

    boolean isSettled() {
        return settled.get();
    }

    @Override
    public String toString() {
        return "task " + id + " (chunk " + index + ")";
    }
}
