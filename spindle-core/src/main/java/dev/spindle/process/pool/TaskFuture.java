package dev.spindle.process.pool;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The future of a pool call. {@link #cancel cancel(true)} stops the worker running it (and
 * starts another in its place), which Python's futures cannot do; {@code cancel(false)} only
 * keeps a queued task from starting. As the sink of a single task, it completes with the task's
 * value; a call of many chunks ({@code map}) completes it through its own sink.
 *
 * <p>It completes on the thread that read the result from the worker's link (a failure: on the
 * pool's result thread), and dependent actions chained without {@code Async} run there: one that
 * blocks holds up that worker's results. Callbacks given to the pool run on its result thread.
 */
final class TaskFuture<T> extends CompletableFuture<T> implements TaskSink {

    private final Dispatcher dispatcher;
    private final boolean hasFixedValue;
    private final T fixedValue;
    private volatile List<PoolTask> tasks = List.of();

    TaskFuture(Dispatcher dispatcher) {
        this(dispatcher, false, null);
    }

    /** A future that completes with {@code value}, not the task's own, when its task succeeds. */
    TaskFuture(Dispatcher dispatcher, boolean hasFixedValue, T value) {
        this.dispatcher = dispatcher;
        this.hasFixedValue = hasFixedValue;
        this.fixedValue = value;
    }

    void tasks(List<PoolTask> tasks) {
        this.tasks = tasks;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            dispatcher.cancel(tasks, mayInterruptIfRunning);
        }
        return cancelled;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void succeeded(PoolTask task, List<Object> values) {
        complete(hasFixedValue ? fixedValue : (T) values.get(0));
    }

    @Override
    public void failed(PoolTask task, Throwable cause) {
        completeExceptionally(cause);
    }
}
