package dev.spindle.process.pool;

import dev.spindle.internal.Deadline;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The result of {@link Pool#applyAsync} or {@link ProcessPool#mapAsync}: Python's
 * {@code AsyncResult}. Unlike Python's, it never waits forever on a dead worker: the task then
 * fails with a {@link WorkerDiedException}.
 *
 * <p>Thread-safe.
 *
 * @param <T> the value's type
 */
public final class AsyncResult<T> {

    private final CompletableFuture<T> future;

    AsyncResult(CompletableFuture<T> future) {
        this.future = future;
    }

    /**
     * The result that {@code future} completes: for a {@link Pool} of another kind (a cluster's)
     * to give the same answer as a {@link ProcessPool}. It completes with the task's value, or
     * exceptionally with what the task failed with.
     */
    public static <T> AsyncResult<T> of(CompletableFuture<T> future) {
        return new AsyncResult<>(java.util.Objects.requireNonNull(future, "future"));
    }

    /**
     * Waits for the value and returns it.
     *
     * @throws TaskFailedException if the task failed (the cause says how)
     * @throws CancellationException if it was cancelled, or the pool terminated first
     */
    public T get() throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new TaskFailedException(e.getCause());
        }
    }

    /**
     * Waits at most {@code timeout} for the value. Zero or negative means do not wait.
     *
     * @throws TimeoutException if the value is not ready in time (the task goes on)
     * @throws TaskFailedException if the task failed
     * @throws CancellationException if it was cancelled, or the pool terminated first
     */
    public T get(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            return Deadline.after(timeout).get(future);
        } catch (ExecutionException e) {
            throw new TaskFailedException(e.getCause());
        }
    }

    /** Whether the task has ended, well or not: Python's {@code ready()}. */
    public boolean ready() {
        return future.isDone();
    }

    /**
     * Whether the task ended with a value: Python's {@code successful()}.
     *
     * @throws IllegalStateException if it has not ended yet (Python raises ValueError)
     */
    public boolean successful() {
        if (!future.isDone()) {
            throw new IllegalStateException("the result is not ready yet; ask ready() or waitFor() first");
        }
        return !future.isCompletedExceptionally();
    }

    /** Waits until the task has ended, well or not: Python's {@code wait()}. */
    public void waitFor() throws InterruptedException {
        try {
            future.get();
        } catch (ExecutionException | CancellationException e) {
            // Ended: that is all this waits for.
        }
    }

    /**
     * Waits at most {@code timeout} until the task has ended: Python's {@code wait(timeout)}.
     * Zero or negative means do not wait.
     *
     * @return whether it has ended
     */
    public boolean waitFor(Duration timeout) throws InterruptedException {
        try {
            Deadline.after(timeout).get(future);
        } catch (ExecutionException | CancellationException | TimeoutException e) {
            // Ended or not: isDone says which.
        }
        return future.isDone();
    }

    /**
     * The task's future: it completes with the value or with what the task failed with (the
     * cause a {@link TaskFailedException} would carry). {@code cancel(true)} stops the worker that
     * runs the task. Actions chained without {@code Async} run on the thread that read the result
     * from its worker: keep them short.
     */
    public CompletableFuture<T> toCompletableFuture() {
        return future;
    }

    @Override
    public String toString() {
        return "AsyncResult[" + (future.isDone() ? successful() ? "successful" : "failed" : "not ready") + "]";
    }
}
