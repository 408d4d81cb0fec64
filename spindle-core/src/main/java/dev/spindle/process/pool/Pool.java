package dev.spindle.process.pool;

import dev.spindle.process.SerializableCallable;
import dev.spindle.process.SerializableFunction;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * Workers that run tasks: Python's {@code Pool}, the part every kind of pool shares. A
 * {@link ProcessPool} runs them in worker JVMs of this machine; a cluster's pool (module
 * {@code spindle-ignite}) on the nodes of a cluster. A program written against this interface
 * moves from one to the other by changing how the pool is made, not how it is used.
 *
 * <h2>The rules every pool keeps</h2>
 * <ul>
 *   <li>One failure fails one task: a task that throws, times out or loses its worker fails with a
 *   {@link TaskFailedException} whose cause says which, and the pool goes on.</li>
 *   <li>A task's timeout ({@link #withTaskTimeout}) stops the task, not only the wait for it.</li>
 *   <li>Tasks, their arguments and results cross with an allow-list: a class off it is refused by
 *   name, before anything of it is run.</li>
 *   <li>{@link #close()} leaves no task queued and no worker running.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public interface Pool extends AutoCloseable {

    /** How many workers the pool has: worker JVMs, or a cluster's server nodes. */
    int workers();

    /**
     * This pool, with {@code timeout} as the timeout of the tasks submitted through the returned
     * view. The view shares the workers; shutting it down shuts the pool down.
     *
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    Pool withTaskTimeout(Duration timeout);

    /**
     * Runs {@code task} in a worker and waits for its value: Python's {@code apply}.
     *
     * @throws TaskFailedException if the task failed (the cause says how)
     * @throws RejectedExecutionException if the pool is shut down
     */
    <R> R apply(SerializableCallable<R> task) throws InterruptedException;

    /** Runs {@code function(argument)} in a worker and waits for its value. */
    <A, R> R apply(SerializableFunction<A, R> function, A argument) throws InterruptedException;

    /**
     * Starts {@code task} in a worker and returns at once: Python's {@code apply_async}.
     *
     * @throws RejectedExecutionException if the pool is shut down
     */
    <R> AsyncResult<R> applyAsync(SerializableCallable<R> task);

    /**
     * Applies {@code function} to every item in workers and returns the results in order:
     * Python's {@code map}.
     *
     * @throws TaskFailedException for the first item (or chunk of items) to fail
     */
    <A, R> List<R> map(SerializableFunction<A, R> function, Iterable<? extends A> items) throws InterruptedException;

    /** Takes no new tasks; those queued run. Returns at once: Python's {@code close()}. */
    void shutdown();

    /** Cancels queued and running tasks now: Python's {@code terminate()}. Returns at once. */
    void terminate();

    /** {@link #shutdown} and wait: the queued tasks finish before this returns. */
    @Override
    void close();
}
