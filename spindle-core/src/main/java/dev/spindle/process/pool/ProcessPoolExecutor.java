package dev.spindle.process.pool;

import dev.spindle.internal.Deadline;
import dev.spindle.process.SerializableCallable;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An {@link ExecutorService} whose tasks run in worker JVMs: Python's
 * {@code concurrent.futures.ProcessPoolExecutor}, for any JDK code that takes an executor. One
 * pool implementation is under this and {@link ProcessPool}, with the same failure rules: a dead
 * worker fails only its task, a timeout stops its worker, and neither breaks the executor.
 *
 * <pre>{@code
 * try (ProcessPoolExecutor executor = ProcessPoolExecutor.create(4)) {
 *     CompletableFuture<Long> sum = executor.submit(() -> LongStream.range(0, 1_000_000).sum());
 *     sum.get();                                   // 499999500000
 * }
 * }</pre>
 *
 * <h2>Tasks</h2>
 * A task must be serializable: a lambda passed to {@link #submit(SerializableCallable)} is. A
 * {@link Callable} or {@link Runnable} that is not {@link Serializable} is refused with a
 * {@link RejectedExecutionException} that says so; a lambda for {@code execute} or
 * {@code submit(Runnable)} can be made one with a cast: {@code (Runnable & Serializable) () -> ...}.
 *
 * <h2>Cancelling</h2>
 * {@code cancel(true)} on a running task's future stops the worker running it (SIGTERM, then
 * SIGKILL after the stop grace) and starts another; Python cannot cancel a running future.
 * {@code cancel(false)} keeps a queued task from starting, and lets a running one finish unheard.
 *
 * <h2>Lifecycle</h2>
 * As {@link java.util.concurrent.ThreadPoolExecutor}: running, then {@link #shutdown} (queued
 * tasks still run) or {@link #shutdownNow} (queued tasks are cancelled and returned, running
 * ones stopped), then terminated once every worker has exited. {@link #close} is
 * {@code shutdown()} and a wait.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>A future completes on the thread that read its result from the worker's link, and actions
 *   chained on it without {@code Async} run there: one that blocks holds up that worker's
 *   results. Chain long actions with the {@code Async} forms.</li>
 * </ul>
 */
public final class ProcessPoolExecutor implements ExecutorService {

    private static final System.Logger LOG = System.getLogger(ProcessPoolExecutor.class.getName());

    private final ProcessPool pool;
    private final Dispatcher dispatcher;

    ProcessPoolExecutor(ProcessPool pool) {
        this.pool = pool;
        this.dispatcher = pool.dispatcher();
    }

    /** An executor of {@code workers} worker JVMs with the default settings ({@link ProcessPool#builder}). */
    public static ProcessPoolExecutor create(int workers) throws IOException {
        return ProcessPool.builder().workers(workers).buildExecutor();
    }

    /** The pids of the workers that are ready now. */
    public List<Long> workerPids() {
        return pool.workerPids();
    }

    /** Runs {@code task} in a worker; its future completes with the task's value or what it failed with. */
    public <T> CompletableFuture<T> submit(SerializableCallable<T> task) {
        return run(Objects.requireNonNull(task, "task"), false, null);
    }

    /**
     * Runs {@code task} in a worker.
     *
     * @throws RejectedExecutionException if the task is not {@link Serializable}, or the executor is shut down
     */
    @Override
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        return run(serializable(task), false, null);
    }

    /** Runs a serializable {@code task} in a worker; its future completes with null. */
    @Override
    public CompletableFuture<?> submit(Runnable task) {
        return run(new RunnableTask(serializable(task)), true, null);
    }

    /** Runs a serializable {@code task} in a worker; its future completes with {@code result}. */
    @Override
    public <T> CompletableFuture<T> submit(Runnable task, T result) {
        return run(new RunnableTask(serializable(task)), true, result);
    }

    /** Runs a serializable {@code command} in a worker; a failure is logged. */
    @Override
    public void execute(Runnable command) {
        submit(command).whenComplete((value, error) -> {
            if (error != null && !(error instanceof CancellationException)) {
                LOG.log(System.Logger.Level.WARNING, "a task given to execute() failed", error);
            }
        });
    }

    private <T> CompletableFuture<T> run(Object task, boolean fixed, T result) {
        TaskFuture<T> future = new TaskFuture<>(dispatcher, fixed, result);
        try {
            pool.submit(task, List.of(), future);
        } catch (IllegalArgumentException e) {
            throw new RejectedExecutionException(e.getMessage(), e);
        }
        return future;
    }

    private static <T> T serializable(T task) {
        Objects.requireNonNull(task, "task");
        if (!(task instanceof Serializable)) {
            throw new RejectedExecutionException(task.getClass().getName() + " is not Serializable, so it cannot run "
                    + "in a worker JVM: pass a lambda to submit(SerializableCallable), or cast one to "
                    + "(Runnable & Serializable)");
        }
        return task;
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        return invokeAll(tasks, Deadline.NONE);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        return invokeAll(tasks, Deadline.afterNanos(unit.toNanos(timeout)));
    }

    private <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, Deadline deadline)
            throws InterruptedException {
        List<Future<T>> futures = new ArrayList<>(tasks.size());
        try {
            for (Callable<T> task : tasks) {
                futures.add(submit(task));
            }
            for (Future<T> f : futures) {
                try {
                    deadline.get((CompletableFuture<T>) f);
                } catch (ExecutionException | CancellationException e) {
                    // Its future tells.
                } catch (TimeoutException e) {
                    break;
                }
            }
        } finally {
            for (Future<T> f : futures) {
                if (!f.isDone()) {
                    f.cancel(true);
                }
            }
        }
        return futures;
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return invokeAny(tasks, Deadline.NONE);
        } catch (TimeoutException e) {
            throw new IllegalStateException(e); // never: no deadline
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return invokeAny(tasks, Deadline.afterNanos(unit.toNanos(timeout)));
    }

    private <T> T invokeAny(Collection<? extends Callable<T>> tasks, Deadline deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("invokeAny needs at least one task");
        }
        LinkedBlockingQueue<CompletableFuture<T>> done = new LinkedBlockingQueue<>();
        List<CompletableFuture<T>> futures = new ArrayList<>(tasks.size());
        try {
            for (Callable<T> task : tasks) {
                CompletableFuture<T> f = submit(task);
                futures.add(f);
                f.whenComplete((v, e) -> done.add(f));
            }
            ExecutionException last = null;
            for (int i = 0; i < futures.size(); i++) {
                CompletableFuture<T> f = deadline.isNone() ? done.take()
                        : done.poll(Math.max(0, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
                if (f == null) {
                    throw new TimeoutException("no task finished well in time");
                }
                try {
                    return f.get();
                } catch (ExecutionException e) {
                    last = e;
                } catch (CancellationException e) {
                    last = new ExecutionException(e);
                }
            }
            throw last;
        } finally {
            futures.forEach(f -> f.cancel(true));
        }
    }

    /** Takes no new tasks; those queued still run. Returns at once. */
    @Override
    public void shutdown() {
        pool.shutdown();
    }

    /**
     * Cancels the queued tasks and stops the running ones (their workers are stopped). Returns the
     * tasks that never started, each as a {@link Runnable} that runs it here, in this JVM; their
     * futures are cancelled.
     */
    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> neverStarted = new ArrayList<>();
        for (PoolTask task : dispatcher.terminate()) {
            neverStarted.add(new Runnable() {
                @Override
                public void run() {
                    try {
                        WorkerLoop.apply(task.job.function, dev.spindle.process.wire.ValueCodec.readAll(
                                java.nio.ByteBuffer.wrap(task.arguments), task.job.serializer));
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }

                @Override
                public String toString() {
                    return "a task of " + dispatcher.settings().name() + " that never started";
                }
            });
        }
        return neverStarted;
    }

    @Override
    public boolean isShutdown() {
        return dispatcher.state() != Dispatcher.State.RUNNING;
    }

    @Override
    public boolean isTerminated() {
        return dispatcher.state() == Dispatcher.State.TERMINATED;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return dispatcher.awaitTermination(Deadline.afterNanos(unit.toNanos(timeout)));
    }

    @Override
    public String toString() {
        return "ProcessPoolExecutor[" + pool + "]";
    }
}
