package dev.spindle.process.pool;

import dev.spindle.internal.Deadline;
import dev.spindle.process.JavaSerializer;
import dev.spindle.process.SerializableBiFunction;
import dev.spindle.process.SerializableCallable;
import dev.spindle.process.SerializableFunction;
import dev.spindle.process.SerializableRunnable;
import dev.spindle.process.StartMethod;
import dev.spindle.process.wire.ValueCodec;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A pool of worker JVMs that run tasks: Python's {@code multiprocessing.Pool}, without its hangs.
 *
 * <pre>{@code
 * try (ProcessPool pool = ProcessPool.create(4)) {
 *     List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3));        // [1, 4, 9]
 *     AsyncResult<String> r = pool.applyAsync(() -> Process.current().name());
 *     String who = r.get(Duration.ofSeconds(10));                             // "ProcessPool-1-worker-2"
 * }
 * }</pre>
 *
 * <p>Workers are started once and run many tasks each. A {@code map} sends its function to each
 * worker once and its items in chunks; small tasks go out many to a message, and a worker always
 * has its next task at hand, so the wire, not process start, sets the pace. Each task goes to the
 * least loaded worker; one that runs long does not hold up the tasks sent after it (they are
 * recalled and run elsewhere).
 *
 * <h2>Failures, beyond Python</h2>
 * <ul>
 *   <li>A worker that dies (SIGKILL, a crash, the OOM killer, {@code System.exit} in a task)
 *   fails only the task it was running, with a {@link WorkerDiedException} naming its pid and how
 *   it ended. The tasks waiting for it run on other workers, and a new worker takes its place. No
 *   call waits forever on a dead worker (Python's does: CPython issue 66587).</li>
 *   <li>A task past its timeout ({@link Builder#taskTimeout}, {@link #withTaskTimeout}) fails with
 *   a {@link TaskTimeoutException}; its worker is stopped (SIGTERM, then SIGKILL after
 *   {@link Builder#stopGrace}) and replaced. If the task finished at the very moment its time ran
 *   out, the task its worker had started next is stopped with it and fails with a
 *   {@link WorkerDiedException} that says so (it may have run in part, so it is not run again).
 *   {@code cancel(true)} stops a running task the same way.</li>
 *   <li>A result that cannot be decoded here (not serializable there, or not on the allow-list
 *   here) fails its own task.</li>
 *   <li>{@link Builder#maxTasksPerChild} starts the replacement while the old worker finishes its
 *   last tasks, so a backlog never stalls.</li>
 *   <li>An initializer that throws breaks the pool at once ({@link BrokenPoolException}), where
 *   Python would restart workers forever.</li>
 * </ul>
 *
 * <h2>What crosses</h2>
 * Functions are serializable lambdas, method references or classes ({@link SerializableFunction},
 * {@link SerializableCallable}, {@link SerializableBiFunction}); they, their arguments and results
 * cross with {@link Builder#serializer}'s allow-list, widened by the classes whose code the
 * function runs. Integers, longs, doubles, strings and booleans cross as plain bytes.
 *
 * <h2>Lifecycle</h2>
 * RUNNING until {@link #shutdown} (Python's {@code close()}: no new tasks, the queued ones
 * finish, then the workers exit) or {@link #terminate} (queued and running tasks are cancelled,
 * workers stopped now); then TERMINATED once every worker has exited, which {@link #join} waits
 * for. {@link #close} is {@code shutdown()} then {@code join()}: try-with-resources never leaves a
 * worker or a queued task behind. Python's {@code with Pool()} terminates instead; call
 * {@link #terminate} for that.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>Callbacks run on the pool's one result thread, as in Python: one that blocks holds up
 *   every later callback. Actions chained on {@link AsyncResult#toCompletableFuture} without
 *   {@code Async} run on the thread that read the result from its worker: one that blocks holds
 *   up that worker's results.</li>
 *   <li>Workers are new JVMs: static state set here is not there. Use the
 *   {@linkplain Builder#initializer initializer} for per-worker setup.</li>
 *   <li>A worker holds about a millisecond's worth of its recent tasks ahead, so that it never
 *   waits for the next one. When one of them turns out long, the tasks behind it are recalled
 *   after 2 ms if another worker is idle, and run there; a pool of tasks that vary from
 *   microseconds to minutes still spends up to those 2 ms per long task before rebalancing.</li>
 * </ul>
 *
 * <p>Thread-safe: any thread may submit, and many may wait.
 */
public final class ProcessPool implements Pool {

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final Dispatcher dispatcher;
    private final long timeoutNanos;

    private ProcessPool(Dispatcher dispatcher, long timeoutNanos) {
        this.dispatcher = dispatcher;
        this.timeoutNanos = timeoutNanos;
    }

    /** A pool of {@code workers} worker JVMs with the default settings: Python's {@code Pool(workers)}. */
    public static ProcessPool create(int workers) throws IOException {
        return builder().workers(workers).build();
    }

    /** A pool with one worker per processor: Python's {@code Pool()}. */
    public static ProcessPool create() throws IOException {
        return builder().build();
    }

    /** Settings for a pool or a {@link ProcessPoolExecutor}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * This pool, with {@code timeout} as the timeout of the tasks submitted through the returned
     * view: per-call timeouts for every method. The view shares the workers; shutting it down
     * shuts the pool down.
     *
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public ProcessPool withTaskTimeout(Duration timeout) {
        return new ProcessPool(dispatcher, Builder.positive(timeout, "a task timeout").toNanos());
    }

    /** How many workers the pool keeps. */
    public int workers() {
        return dispatcher.settings().workers();
    }

    /** The pids of the workers that are ready now: a replaced worker's pid leaves, its successor's arrives. */
    public List<Long> workerPids() {
        return dispatcher.workerPids();
    }

    // ---- apply -------------------------------------------------------------------------------

    /**
     * Runs {@code task} in a worker and waits for its value: Python's {@code apply}.
     *
     * @throws TaskFailedException if the task failed (the cause says how)
     * @throws RejectedExecutionException if the pool is shut down or broken
     */
    public <R> R apply(SerializableCallable<R> task) throws InterruptedException {
        return applyAsync(task).get();
    }

    /** Runs {@code function(argument)} in a worker and waits for its value: {@code apply(f, (x,))}. */
    public <A, R> R apply(SerializableFunction<A, R> function, A argument) throws InterruptedException {
        return applyAsync(function, argument).get();
    }

    /** Runs {@code task} in a worker: Python's {@code apply_async}. */
    public <R> AsyncResult<R> applyAsync(SerializableCallable<R> task) {
        return applyAsync(task, null, null);
    }

    /**
     * Runs {@code task} in a worker; then {@code callback} gets its value, or {@code errorCallback}
     * what it failed with (the cause a {@link TaskFailedException} would carry), on the pool's
     * result thread. Either may be null.
     */
    public <R> AsyncResult<R> applyAsync(SerializableCallable<R> task, Consumer<? super R> callback,
            Consumer<? super Throwable> errorCallback) {
        return single(Objects.requireNonNull(task, "task"), List.of(), callback, errorCallback);
    }

    /** Runs {@code function(argument)} in a worker: {@code apply_async(f, (x,))}. */
    public <A, R> AsyncResult<R> applyAsync(SerializableFunction<A, R> function, A argument) {
        return applyAsync(function, argument, null, null);
    }

    /** Runs {@code function(argument)} in a worker, with callbacks as {@link #applyAsync(SerializableCallable, Consumer, Consumer)}. */
    public <A, R> AsyncResult<R> applyAsync(SerializableFunction<A, R> function, A argument,
            Consumer<? super R> callback, Consumer<? super Throwable> errorCallback) {
        return single(Objects.requireNonNull(function, "function"), java.util.Collections.singletonList(argument),
                callback, errorCallback);
    }

    private <R> AsyncResult<R> single(Object function, List<?> arguments, Consumer<? super R> callback,
            Consumer<? super Throwable> errorCallback) {
        TaskFuture<R> future = new TaskFuture<>(dispatcher);
        if (callback != null || errorCallback != null) {
            future.whenCompleteAsync((value, error) -> Callbacks.run(value, error, callback, errorCallback),
                    dispatcher.callbacks());
        }
        submit(function, arguments, future);
        return new AsyncResult<>(future);
    }

    /** Queues one task whose value completes {@code future}. */
    <R> void submit(Object function, List<?> arguments, TaskFuture<R> future) {
        Job job = job(function);
        PoolTask task = dispatcher.task(job, encode(arguments, job.serializer), timeoutNanos, future, 0);
        future.tasks(List.of(task));
        dispatcher.submit(List.of(task));
    }

    // ---- map ---------------------------------------------------------------------------------

    /**
     * Applies {@code function} to every item in workers and returns the results in order:
     * Python's {@code map}, with its default chunk size (the items split into about four chunks
     * per worker).
     *
     * @throws TaskFailedException for the first chunk to fail
     */
    public <A, R> List<R> map(SerializableFunction<A, R> function, Iterable<? extends A> items)
            throws InterruptedException {
        return mapAsync(function, items).get();
    }

    /** {@link #map(SerializableFunction, Iterable)} in chunks of {@code chunkSize} items. */
    public <A, R> List<R> map(SerializableFunction<A, R> function, Iterable<? extends A> items, int chunkSize)
            throws InterruptedException {
        return mapAsync(function, items, chunkSize).get();
    }

    /** Python's {@code map_async}, with the default chunk size. */
    public <A, R> AsyncResult<List<R>> mapAsync(SerializableFunction<A, R> function, Iterable<? extends A> items) {
        List<Object> all = listOf(items);
        return chunked(Objects.requireNonNull(function, "function"), all, 1, defaultChunkSize(all.size()), null, null);
    }

    /** Python's {@code map_async(f, items, chunksize)}. */
    public <A, R> AsyncResult<List<R>> mapAsync(SerializableFunction<A, R> function, Iterable<? extends A> items,
            int chunkSize) {
        return mapAsync(function, items, chunkSize, null, null);
    }

    /**
     * Python's {@code map_async} with {@code callback} (given the whole list) and
     * {@code errorCallback} (given the first failure), on the pool's result thread.
     */
    public <A, R> AsyncResult<List<R>> mapAsync(SerializableFunction<A, R> function, Iterable<? extends A> items,
            int chunkSize, Consumer<? super List<R>> callback, Consumer<? super Throwable> errorCallback) {
        return chunked(Objects.requireNonNull(function, "function"), listOf(items), 1, chunkSize, callback,
                errorCallback);
    }

    /**
     * Applies {@code function} to each pair: Python's {@code starmap} for functions of two
     * arguments ({@code Map.entry(a, b)} is a pair).
     */
    public <A, B, R> List<R> starmap(SerializableBiFunction<A, B, R> function,
            Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs) throws InterruptedException {
        return starmapAsync(function, pairs).get();
    }

    /** Python's {@code starmap_async}, with the default chunk size. */
    public <A, B, R> AsyncResult<List<R>> starmapAsync(SerializableBiFunction<A, B, R> function,
            Iterable<? extends Map.Entry<? extends A, ? extends B>> pairs) {
        List<Object> flat = new ArrayList<>();
        for (Map.Entry<? extends A, ? extends B> pair : pairs) {
            flat.add(pair.getKey());
            flat.add(pair.getValue());
        }
        return chunked(Objects.requireNonNull(function, "function"), flat, 2, defaultChunkSize(flat.size() / 2),
                null, null);
    }

    private <R> AsyncResult<List<R>> chunked(Object function, List<Object> flat, int perItem, int chunkSize,
            Consumer<? super List<R>> callback, Consumer<? super Throwable> errorCallback) {
        checkChunkSize(chunkSize);
        Job job = job(function);
        TaskFuture<List<R>> future = new TaskFuture<>(dispatcher);
        if (callback != null || errorCallback != null) {
            future.whenCompleteAsync((value, error) -> Callbacks.run(value, error, callback, errorCallback),
                    dispatcher.callbacks());
        }
        int items = flat.size() / perItem;
        MapResults<R> sink = new MapResults<>(future, items, chunkSize);
        List<PoolTask> tasks = new ArrayList<>((items + chunkSize - 1) / chunkSize);
        for (int from = 0, index = 0; from < items; from += chunkSize, index++) {
            List<Object> chunk = flat.subList(from * perItem, Math.min(items, from + chunkSize) * perItem);
            tasks.add(dispatcher.task(job, encode(chunk, job.serializer), timeoutNanos, sink, index));
        }
        future.tasks(tasks);
        if (!tasks.isEmpty()) {
            dispatcher.submit(tasks);
        }
        return new AsyncResult<>(future);
    }

    // ---- imap --------------------------------------------------------------------------------

    /** Python's {@code imap}: results in item order, as they come, one item a task. */
    public <A, R> ResultIterator<R> imap(SerializableFunction<A, R> function, Iterable<? extends A> items) {
        return imap(function, items, 1);
    }

    /** Python's {@code imap(f, items, chunksize)}. */
    public <A, R> ResultIterator<R> imap(SerializableFunction<A, R> function, Iterable<? extends A> items,
            int chunkSize) {
        return iterate(function, items, chunkSize, true);
    }

    /** Python's {@code imap_unordered}: results in the order they finish, one item a task. */
    public <A, R> ResultIterator<R> imapUnordered(SerializableFunction<A, R> function, Iterable<? extends A> items) {
        return imapUnordered(function, items, 1);
    }

    /** Python's {@code imap_unordered(f, items, chunksize)}. */
    public <A, R> ResultIterator<R> imapUnordered(SerializableFunction<A, R> function, Iterable<? extends A> items,
            int chunkSize) {
        return iterate(function, items, chunkSize, false);
    }

    private <R> ResultIterator<R> iterate(Object function, Iterable<?> items, int chunkSize, boolean ordered) {
        checkChunkSize(chunkSize);
        Job job = job(Objects.requireNonNull(function, "function"));
        if (dispatcher.state() != Dispatcher.State.RUNNING) {
            throw new RejectedExecutionException(dispatcher.settings().name() + " is shut down and takes no new tasks");
        }
        ResultIterator<R> results = new ResultIterator<>(dispatcher, ordered);
        Iterator<?> input = Objects.requireNonNull(items, "items").iterator();
        results.start(input, chunkSize, (chunk, index, sink) ->
                dispatcher.task(job, encode(chunk, job.serializer), timeoutNanos, sink, index));
        return results;
    }

    // ---- lifecycle ---------------------------------------------------------------------------

    /** Takes no new tasks; those queued run, then the workers exit. Returns at once: Python's {@code close()}. */
    public void shutdown() {
        dispatcher.shutdown();
    }

    /** Cancels queued and running tasks and stops every worker now: Python's {@code terminate()}. Returns at once. */
    public void terminate() {
        dispatcher.terminate();
    }

    /**
     * Waits until every worker has exited: Python's {@code join()}.
     *
     * @throws IllegalStateException if the pool was neither shut down nor terminated (Python raises ValueError)
     */
    public void join() throws InterruptedException {
        join(Deadline.NONE);
    }

    /**
     * Waits at most {@code timeout} until every worker has exited. Zero or negative means do not wait.
     *
     * @return whether they have
     * @throws IllegalStateException if the pool was neither shut down nor terminated
     */
    public boolean join(Duration timeout) throws InterruptedException {
        return join(Deadline.after(timeout));
    }

    private boolean join(Deadline deadline) throws InterruptedException {
        if (dispatcher.state() == Dispatcher.State.RUNNING) {
            throw new IllegalStateException("join() waits for the workers to exit: call shutdown() or terminate() first");
        }
        return dispatcher.awaitTermination(deadline);
    }

    /**
     * {@link #shutdown} and {@link #join}: the queued tasks finish and every worker exits before
     * this returns. Interrupted, it terminates the pool instead, still waits for the workers, and
     * keeps the interrupt.
     */
    @Override
    public void close() {
        dispatcher.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                dispatcher.awaitTermination(Deadline.NONE);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                dispatcher.terminate();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return dispatcher.settings().name() + "[" + dispatcher.state() + ", " + workers() + " workers]";
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    // ---- encoding ----------------------------------------------------------------------------

    private Job job(Object function) {
        try {
            return dispatcher.job(function);
        } catch (IOException e) {
            throw new IllegalArgumentException("the task cannot be sent to a worker: " + e.getMessage(), e);
        }
    }

    private static byte[] encode(List<?> arguments, JavaSerializer serializer) {
        ValueCodec.Out out = new ValueCodec.Out(16 + arguments.size() * 5);
        try {
            ValueCodec.writeAll(out, arguments, serializer);
        } catch (IOException e) {
            throw new IllegalArgumentException("a task's argument cannot be sent to a worker: " + e.getMessage(), e);
        }
        return out.bytes();
    }

    private int defaultChunkSize(int items) {
        // Python's: about four chunks per worker.
        int per = workers() * 4;
        int size = items / per + (items % per == 0 ? 0 : 1);
        return Math.max(1, size);
    }

    private static void checkChunkSize(int chunkSize) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be at least 1, not " + chunkSize);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> listOf(Iterable<?> items) {
        Objects.requireNonNull(items, "items");
        if (items instanceof List<?> list) {
            return (List<Object>) list;
        }
        List<Object> all = items instanceof Collection<?> c ? new ArrayList<>(c.size()) : new ArrayList<>();
        items.forEach(all::add);
        return all;
    }

    /**
     * Settings for a {@link ProcessPool} or a {@link ProcessPoolExecutor}; each setting has a
     * default, so {@code builder().build()} is a pool of one worker per processor.
     */
    public static final class Builder {
        private int workers = Runtime.getRuntime().availableProcessors();
        private SerializableRunnable initializer;
        private int maxTasksPerChild;
        private Duration taskTimeout;
        private StartMethod startMethod;
        private JavaSerializer serializer = JavaSerializer.defaults();
        private Duration stopGrace = Duration.ofSeconds(1);
        private Duration startTimeout = Duration.ofMinutes(2);
        private String name;

        private Builder() {
        }

        /** How many worker JVMs (default: one per processor). */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("a pool needs at least one worker, not " + workers);
            }
            this.workers = workers;
            return this;
        }

        /**
         * What each worker runs once before its first task (default none): Python's
         * {@code initializer}. If it throws, the pool is broken ({@link BrokenPoolException}).
         */
        public Builder initializer(SerializableRunnable initializer) {
            this.initializer = Objects.requireNonNull(initializer, "initializer");
            return this;
        }

        /** Tasks after which a worker is replaced by a fresh JVM (default 0: never): Python's {@code maxtasksperchild}. */
        public Builder maxTasksPerChild(int tasks) {
            if (tasks < 0) {
                throw new IllegalArgumentException("maxTasksPerChild must be 0 (no limit) or more, not " + tasks);
            }
            this.maxTasksPerChild = tasks;
            return this;
        }

        /** The default timeout of each task (a chunk, for {@code map}); default none. */
        public Builder taskTimeout(Duration timeout) {
            this.taskTimeout = positive(timeout, "a task timeout");
            return this;
        }

        /**
         * How worker JVMs start (default: {@link dev.spindle.process.Process#setDefaultStartMethod
         * Process's default}, SPAWN unless changed). {@link StartMethod#WARM} replaces a dead or
         * recycled worker faster, from a standby set that then lives as long as the program.
         */
        public Builder startMethod(StartMethod method) {
            this.startMethod = Objects.requireNonNull(method, "method");
            return this;
        }

        /** What tasks, their arguments and results cross with (default {@link JavaSerializer#defaults()}). */
        public Builder serializer(JavaSerializer serializer) {
            this.serializer = Objects.requireNonNull(serializer, "serializer");
            return this;
        }

        /** How long a worker being stopped has between SIGTERM and SIGKILL (default 1 s). */
        public Builder stopGrace(Duration grace) {
            if (Objects.requireNonNull(grace, "grace").isNegative()) {
                throw new IllegalArgumentException("the stop grace cannot be negative: " + grace);
            }
            this.stopGrace = grace;
            return this;
        }

        /**
         * How long a worker may take to start and run the {@linkplain #initializer initializer}
         * (default 2 minutes). A worker not ready by then is stopped and counts as one that failed
         * before it was ready ({@link BrokenPoolException} after three in a row): no call waits
         * forever on a worker that hangs as it starts.
         */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = positive(timeout, "a start timeout");
            return this;
        }

        /** The pool's name, which its workers' and threads' names start with (default {@code ProcessPool-n}). */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Builds the pool and starts its workers; tasks submitted before they are ready wait for them.
         *
         * @throws java.io.NotSerializableException if the initializer cannot be serialized
         * @throws IOException if this process cannot serve its workers
         */
        public ProcessPool build() throws IOException {
            return new ProcessPool(new Dispatcher(settings()), taskTimeout == null ? 0 : taskTimeout.toNanos());
        }

        /** Builds a {@link ProcessPoolExecutor} with these settings. */
        public ProcessPoolExecutor buildExecutor() throws IOException {
            return new ProcessPoolExecutor(build());
        }

        private PoolSettings settings() throws IOException {
            String poolName = name != null ? name : "ProcessPool-" + POOLS.incrementAndGet();
            WorkerLoop.Initializer init = null;
            if (initializer != null) {
                JavaSerializer initSerializer = serializer.allowCodeOf(initializer);
                init = new WorkerLoop.Initializer(initSerializer, initSerializer.encode(initializer));
            }
            return new PoolSettings(poolName, workers, init, maxTasksPerChild,
                    taskTimeout == null ? 0 : taskTimeout.toNanos(), startMethod, serializer, stopGrace, startTimeout);
        }

        static Duration positive(Duration timeout, String what) {
            if (Objects.requireNonNull(timeout, "timeout").isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, not " + timeout);
            }
            return timeout;
        }
    }

    /** Runs a call's callbacks; one that throws is logged, as Python prints it, and harms nothing else. */
    static final class Callbacks {
        private Callbacks() {
        }

        @SuppressWarnings("unchecked")
        static <R> void run(R value, Throwable error, Consumer<? super R> callback,
                Consumer<? super Throwable> errorCallback) {
            try {
                if (error == null) {
                    if (callback != null) {
                        callback.accept(value);
                    }
                } else if (errorCallback != null) {
                    errorCallback.accept(error instanceof java.util.concurrent.CompletionException c
                            && c.getCause() != null ? c.getCause() : error);
                }
            } catch (RuntimeException | Error e) {
                System.getLogger(ProcessPool.class.getName()).log(System.Logger.Level.WARNING,
                        "a pool callback threw; the pool carries on", e);
            }
        }
    }
}
