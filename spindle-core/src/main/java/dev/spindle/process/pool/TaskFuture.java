package dev.spindle.process.pool;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The future of a pool call. {@link #cancel cancel(true)} stops the worker running it (and
 * starts another in its place), which Python's futures cannot do; {@code cancel(false)} only
 * keeps a queued task from starting. As the sink of a single task, it completes with the task's
 * value; a call of many chunks ({@code map}) completes it through its own sink.
 *
 * <p>Dependent actions ({@code thenApply}, callbacks) run on the pool's result thread, one at a
 * time, like Python's result handler: an action that blocks holds up every later result. A
 * caller blocked in {@link #get()} or {@link #join()} is woken as soon as the outcome arrives,
 * before the result thread completes the future: one thread hop fewer on every round trip.
 */
final class TaskFuture<T> extends CompletableFuture<T> implements TaskSink {

    private final Dispatcher dispatcher;
    private final boolean hasFixedValue;
    private final T fixedValue;
    private volatile List<PoolTask> tasks = List.of();
    private final CountDownLatch arrived = new CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicReference<Arrival> arrival = new java.util.concurrent.atomic.AtomicReference<>();

    private record Arrival(Object value, Throwable failure) {
    }

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
            arrived(null, new CancellationException("the task was cancelled"));
        }
        return cancelled;
    }

    @Override
    public boolean complete(T given) {
        boolean completed = super.complete(given);
        if (completed) {
            arrive(given, null);
        }
        return completed;
    }

    @Override
    public boolean completeExceptionally(Throwable thrown) {
        boolean completed = super.completeExceptionally(thrown);
        if (completed) {
            arrive(null, thrown);
        }
        return completed;
    }

    @Override
    public void arrived(List<Object> values, Throwable cause) {
        if (cause != null) {
            arrive(null, cause);
        } else if (!hasFixedValue) {
            arrive(values.get(0), null);
        } else {
            arrive(fixedValue, null);
        }
    }

    private void arrive(Object given, Throwable thrown) {
        if (arrival.compareAndSet(null, new Arrival(given, thrown))) {
            arrived.countDown();
        }
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        arrived.await();
        return outcome();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        if (!arrived.await(timeout, unit)) {
            throw new TimeoutException("the task has not finished in " + timeout + " " + unit.name().toLowerCase());
        }
        return outcome();
    }

    @SuppressWarnings("unchecked")
    private T outcome() throws ExecutionException {
        if (isDone()) {
            // Completed already (by the result thread, or by a cancel): the future's own answer stands.
            try {
                return super.get();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e); // never: a completed future does not wait
            }
        }
        Arrival a = arrival.get();
        if (a.failure() instanceof CancellationException c) {
            throw c;
        }
        if (a.failure() != null) {
            throw new ExecutionException(a.failure());
        }
        return (T) a.value();
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
