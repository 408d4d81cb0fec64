package dev.spindle.ignite;

import dev.spindle.process.SerializableCallable;
import dev.spindle.process.SerializableRunnable;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An {@link java.util.concurrent.ExecutorService} whose tasks run on a cluster's server nodes:
 * {@link Cluster#executor()}, the cluster's counterpart of {@code ProcessPoolExecutor}. Tasks must
 * be {@link Serializable} (a {@code SerializableCallable}, a serializable lambda, or a class);
 * anything else is refused at submission with the reason. {@code shutdownNow} cancels the tasks
 * in flight on their nodes (their threads are interrupted) and returns none: tasks are sent at
 * once, never queued here.
 *
 * <p>Thread-safe.
 */
public final class ClusterExecutor extends AbstractExecutorService {

    private final ClusterPool pool;

    ClusterExecutor(ClusterPool pool) {
        this.pool = pool;
    }

    /** A task sent when {@code execute}d; waiting on it waits for the node's answer. */
    private final class RemoteCall<T> implements RunnableFuture<T> {
        private final SerializableCallable<T> call;
        private volatile CompletableFuture<T> sent;
        private final CompletableFuture<T> result = new CompletableFuture<>();

        RemoteCall(SerializableCallable<T> call) {
            this.call = call;
        }

        @Override
        public void run() {
            if (result.isDone()) {
                return;
            }
            try {
                sent = pool.applyAsync(call).toCompletableFuture();
                sent.whenComplete((value, failure) -> {
                    if (failure == null) {
                        result.complete(value);
                    } else {
                        result.completeExceptionally(failure);
                    }
                });
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            CompletableFuture<T> s = sent;
            if (s != null) {
                s.cancel(true);
            }
            return result.cancel(mayInterruptIfRunning);
        }

        @Override
        public boolean isCancelled() {
            return result.isCancelled();
        }

        @Override
        public boolean isDone() {
            return result.isDone();
        }

        @Override
        public T get() throws InterruptedException, ExecutionException {
            return result.get();
        }

        @Override
        public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            return result.get(timeout, unit);
        }
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Callable<T> callable) {
        return new RemoteCall<>(serializable(callable));
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Runnable runnable, T value) {
        if (!(runnable instanceof Serializable) || (value != null && !(value instanceof Serializable))) {
            throw refused(runnable);
        }
        return new RemoteCall<>((SerializableCallable<T>) () -> {
            runnable.run();
            return value;
        });
    }

    @Override
    public void execute(Runnable command) {
        if (command instanceof RemoteCall<?> call) {
            call.run();
        } else {
            newTaskFor(command, null).run();
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> SerializableCallable<T> serializable(Callable<T> callable) {
        if (callable instanceof SerializableCallable<T> s) {
            return s;
        }
        if (callable instanceof Serializable) {
            return (SerializableCallable<T>) callable::call;
        }
        throw refused(callable);
    }

    private static RejectedExecutionException refused(Object task) {
        return new RejectedExecutionException(task.getClass().getName() + " is not Serializable, so it cannot be sent "
                + "to a cluster node: submit a SerializableCallable or SerializableRunnable (a lambda cast to one)");
    }

    @Override
    public void shutdown() {
        pool.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        pool.terminate();
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return pool.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return pool.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return pool.awaitIdle(Duration.ofNanos(unit.toNanos(timeout))) && pool.isTerminated();
    }

    /**
     * {@link #submit(Callable)} for a lambda: this overload makes {@code submit(() -> ...)} a
     * serializable lambda, which a plain {@code Callable} lambda is not.
     */
    public <T> Future<T> submit(SerializableCallable<T> task) {
        return super.submit(task);
    }

    /** {@link #submit(Runnable)} for a lambda, made serializable by this overload. */
    public Future<?> submit(SerializableRunnable task) {
        return submit((SerializableCallable<Object>) () -> {
            task.run();
            return null;
        });
    }

    /** {@link #execute(Runnable)} for a lambda, made serializable by this overload. */
    public void execute(SerializableRunnable command) {
        submit(command);
    }
}
