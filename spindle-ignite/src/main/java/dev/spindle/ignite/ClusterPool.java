package dev.spindle.ignite;

import dev.spindle.process.JavaSerializer;
import dev.spindle.process.SerializableCallable;
import dev.spindle.process.SerializableFunction;
import dev.spindle.process.pool.AsyncResult;
import dev.spindle.process.pool.Pool;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCompute;
import org.apache.ignite.IgniteException;
import org.apache.ignite.compute.ComputeTaskFuture;
import org.apache.ignite.compute.ComputeTaskTimeoutException;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Pool} whose workers are a cluster's server nodes: {@link Cluster#pool()}. Tasks go to
 * the node Ignite's load balancer picks, one task per item (or per chunk of items) of a map.
 *
 * <h2>What it keeps of the local pool's rules</h2>
 * <ul>
 *   <li>One failure fails one task; a task's exception comes back as the cause of its
 *   {@code TaskFailedException}.</li>
 *   <li>A task past its {@linkplain #withTaskTimeout timeout} is stopped (its thread interrupted)
 *   and fails with {@link ClusterTaskTimeoutException}.</li>
 *   <li>A task whose node leaves fails with {@link NodeLeftException} naming it, or runs again
 *   elsewhere: {@link ClusterSettings#failover()}.</li>
 *   <li>A task, and what it captures, is checked against the allow-list before it leaves: a class
 *   off it is refused by name ({@code IllegalArgumentException} caused by a
 *   {@code ClassNotAllowedException}), as a {@code ProcessPool} refuses it.</li>
 * </ul>
 *
 * <h2>Lifecycle</h2>
 * RUNNING until {@link #shutdown} (no new tasks; those running finish) or {@link #terminate}
 * (those running are cancelled too); {@link #close()} shuts down and waits for the running tasks.
 * The nodes go on: they are the cluster's, not the pool's.
 *
 * <h2>Pitfalls</h2>
 * A task's classes must be on every node's class path; a task that does not stop when interrupted
 * keeps its node's thread after its timeout. Tasks cost a network round trip and more: measure
 * before moving small tasks off one machine ({@code docs/benchmarks.md}).
 *
 * <p>Thread-safe.
 */
public final class ClusterPool implements Pool {

    /** What the views of one pool share: whether it is shut down, and the tasks in flight. */
    private static final class State {
        final AtomicBoolean shutdown = new AtomicBoolean();
        final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
    }

    private final Ignite ignite;
    /** The allow-list tasks are checked against, made once from the settings: shared by the views. */
    private final JavaSerializer serializer;
    private final Failover failover;
    private final Duration timeout;
    private final State state;

    ClusterPool(Ignite ignite, ClusterSettings settings) {
        this(ignite, settings.serializer(), settings.failover(), Duration.ZERO, new State());
    }

    private ClusterPool(Ignite ignite, JavaSerializer serializer, Failover failover, Duration timeout, State state) {
        this.ignite = ignite;
        this.serializer = serializer;
        this.failover = failover;
        this.timeout = timeout;
        this.state = state;
    }

    /**
     * This pool, with {@code failover} for the tasks submitted through the returned view. The view
     * shares the pool's state: shutting it down shuts the pool down.
     */
    public ClusterPool withFailover(Failover failover) {
        return new ClusterPool(ignite, serializer, java.util.Objects.requireNonNull(failover, "failover"), timeout, state);
    }

    @Override
    public int workers() {
        return ignite.cluster().forServers().nodes().size();
    }

    @Override
    public ClusterPool withTaskTimeout(Duration timeout) {
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("a task timeout must be positive, got " + timeout);
        }
        return new ClusterPool(ignite, serializer, failover, timeout, state);
    }

    @Override
    public <R> R apply(SerializableCallable<R> task) throws InterruptedException {
        return applyAsync(task).get();
    }

    @Override
    public <A, R> R apply(SerializableFunction<A, R> function, A argument) throws InterruptedException {
        return submit(function, () -> function.apply(argument)).get();
    }

    @Override
    public <R> AsyncResult<R> applyAsync(SerializableCallable<R> task) {
        return submit(task, task);
    }

    @Override
    public <A, R> List<R> map(SerializableFunction<A, R> function, Iterable<? extends A> items)
            throws InterruptedException {
        List<A> all = new ArrayList<>();
        items.forEach(all::add);
        // Python's chunk size: about four chunks per worker.
        int per = Math.max(1, workers() * 4);
        int size = Math.max(1, (all.size() + per - 1) / per);
        List<AsyncResult<ArrayList<R>>> chunks = new ArrayList<>();
        for (int from = 0; from < all.size(); from += size) {
            ArrayList<A> chunk = new ArrayList<>(all.subList(from, Math.min(all.size(), from + size)));
            chunks.add(submit(function, () -> {
                ArrayList<R> out = new ArrayList<>(chunk.size());
                for (A item : chunk) {
                    out.add(function.apply(item));
                }
                return out;
            }));
        }
        List<R> results = new ArrayList<>(all.size());
        for (AsyncResult<ArrayList<R>> chunk : chunks) {
            results.addAll(chunk.get());
        }
        return results;
    }

    /**
     * Sends {@code call} (a user's {@code code} and what it carries) to the cluster. It is encoded
     * and read back here first, under the allow-list widened by the code's classes and the call's,
     * as a local pool does, so that a class off the list is refused by name before anything
     * leaves. The task travels as those bytes; the node reads it under its own allow-list widened
     * by the same code classes.
     */
    private <R> AsyncResult<R> submit(Object code, SerializableCallable<R> call) {
        if (state.shutdown.get()) {
            throw new RejectedExecutionException("the cluster pool is shut down; make a new one with Cluster.pool()");
        }
        JavaSerializer serializer = this.serializer.allowCodeOf(code).allowCodeOf(call);
        List<String> codeClasses = new ArrayList<>(JavaSerializer.codeClassesOf(code));
        codeClasses.addAll(JavaSerializer.codeClassesOf(call));
        byte[] bytes;
        try {
            bytes = serializer.encode(call);
            serializer.decode(bytes); // refuses a class off the list by name, here
        } catch (IOException e) {
            throw new IllegalArgumentException("a task cannot be sent to the cluster: " + e.getMessage(), e);
        }
        IgniteCompute compute = ignite.compute(ignite.cluster().forServers());
        if (!timeout.isZero()) {
            compute = compute.withTimeout(timeout.toMillis());
        }
        ComputeTaskFuture<byte[]> running = compute.executeAsync(new CallTask(failover), new CallJob(bytes, codeClasses));
        CompletableFuture<R> result = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterrupt) {
                running.cancel();
                return super.cancel(mayInterrupt);
            }
        };
        state.inFlight.add(result);
        running.listen(done -> {
            try {
                @SuppressWarnings("unchecked") R value = (R) serializer.decode(done.get());
                result.complete(value);
            } catch (IOException e) {
                result.completeExceptionally(new IllegalArgumentException(
                        "the task's result cannot be read here: " + e.getMessage(), e));
            } catch (RuntimeException e) {
                result.completeExceptionally(translate(e, timeout));
            } finally {
                state.inFlight.remove(result);
            }
        });
        return AsyncResult.of(result);
    }

    /** What a task failed with, as the local pool reports it: the user's exception, or what stopped the task. */
    static Throwable translate(Throwable e, Duration timeout) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof NodeLeftException left) {
                return left;
            }
            if (t instanceof ComputeTaskTimeoutException) {
                return new ClusterTaskTimeoutException(timeout, e);
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (!(t instanceof IgniteException) && !t.getClass().getName().startsWith("org.apache.ignite.")) {
                return t; // the task's own exception, unwrapped from Ignite's
            }
        }
        return e;
    }

    @Override
    public void shutdown() {
        state.shutdown.set(true);
    }

    @Override
    public void terminate() {
        shutdown();
        for (CompletableFuture<?> f : List.copyOf(state.inFlight)) {
            f.cancel(true);
        }
    }

    boolean isShutdown() {
        return state.shutdown.get();
    }

    /** Whether it is shut down and no task of it is still running. */
    boolean isTerminated() {
        return state.shutdown.get() && state.inFlight.isEmpty();
    }

    /** Waits until no task of the pool runs, at most {@code timeout}; true when none does. */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (CompletableFuture<?> f : List.copyOf(state.inFlight)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return state.inFlight.isEmpty();
            }
            try {
                f.get(left, java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
                // ended, which is all this waits for
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            }
        }
        return state.inFlight.isEmpty();
    }

    /**
     * Shuts down and waits for the running tasks. Interrupted, it terminates instead and keeps the
     * interrupt.
     */
    @Override
    public void close() {
        shutdown();
        try {
            while (!awaitIdle(Duration.ofSeconds(1))) {
                // a task may run for as long as its timeout (or its work) says
            }
        } catch (InterruptedException e) {
            terminate();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ClusterPool[" + workers() + " nodes" + (timeout.isZero() ? "" : ", task timeout " + timeout) + "]";
    }
}
