package dev.spindle.process;

import dev.spindle.internal.Deadline;
import dev.spindle.process.wire.Hub;
import dev.spindle.process.wire.Run;

import java.io.IOException;
import java.io.NotSerializableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A task run in a child JVM: Python's {@code multiprocessing.Process}.
 *
 * <pre>{@code
 * Process<Void> p = Process.target(() -> System.out.println("hello from " + Process.current().name()))
 *         .name("worker").start();
 * p.join();                          // p.exitCode() is now 0
 *
 * Process<Long> sum = Process.callable(() -> LongStream.range(0, 1_000_000).sum()).start();
 * long total = sum.result();         // joins, then returns the child's value
 * }</pre>
 *
 * <p>The child is a JVM started with the parent's {@code java} and class path (see
 * {@link StartMethod} for how it is started); it connects back to the parent over a Unix-domain
 * socket, both sides prove they hold the run's random key ({@link Handshake}), and only then is the
 * task, serialized with {@link JavaSerializer}, sent and decoded. The child's standard
 * output and error are the parent's, optionally with each line prefixed by the child's name.
 *
 * <h2>Lifecycle</h2>
 * A process is <em>new</em> until {@link #start}, <em>alive</em> until its JVM exits, then
 * <em>ended</em>, with an {@linkplain #exitCode exit code}: 0 when the task returned, 1 when it
 * threw (its exception and stack trace reach the parent as a {@link ChildException}), the task's
 * own code when it called {@code System.exit}, and {@code -n} when signal {@code n} ended it, as
 * in Python: {@link #terminate} gives -15 (the child runs its shutdown hooks), {@link #kill}
 * -9. A process starts once.
 *
 * <h2>Daemons</h2>
 * A daemon child dies with its parent, however the parent dies, SIGKILL included: the child
 * holds a pipe from the parent and halts when it reads end-of-file there. A non-daemon child
 * outlives its parent and finishes its task. Unlike Python, the parent's exit does not wait for it
 * to finish, only until it has its task (what {@link #start} promised), and while it uses a
 * {@link Pipe} the parent opened (the pipe lives in the parent). A parent that a signal ends waits
 * for neither.
 *
 * <h2>What crosses</h2>
 * The task, whatever it captures, and a callable's result are decoded against an allow-list: the
 * JDK's value types, Spindle's classes, the class that defined the task (the one whose code it
 * runs), and what {@link #allow} and {@link #allowPackage} add. Anything else fails with a
 * {@link ClassNotAllowedException} that names the class. A {@link PipeConnection} can be captured:
 * the child gets its own connection to the pipe.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>The child is a new JVM: static state set in the parent is not there. Pass what the task
 *   needs by capturing it.</li>
 *   <li>A lambda written inside a non-serializable object's instance method captures
 *   {@code this} only if it uses a field or method of it; then serialization fails at
 *   {@link #start} with a {@code NotSerializableException} naming the class.</li>
 *   <li>{@link #close} kills a child that is still running (Python's refuses), so that
 *   try-with-resources never leaves a JVM behind.</li>
 * </ul>
 *
 * <p>Thread-safe: any thread may join, poll or stop a process.
 *
 * @param <T> the type of the task's result; {@code Void} for a {@link SerializableRunnable}
 */
public final class Process<T> implements AutoCloseable {

    private static final long OUTCOME_AFTER_EXIT_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static volatile StartMethod defaultStartMethod = StartMethod.SPAWN;

    private final Object task;
    private final boolean returnsResult;
    private final ReentrantLock lock = new ReentrantLock();
    private final Set<String> allowedClasses = new LinkedHashSet<>();
    private final List<String> allowedPackages = new ArrayList<>();
    /** Completes once what the child reported has been read (or its link ended without a report). */
    private final java.util.concurrent.CompletableFuture<Void> reported = new java.util.concurrent.CompletableFuture<>();
    private final AtomicReference<Outcome> outcome = new AtomicReference<>();
    private final AtomicReference<IOException> linkFailure = new AtomicReference<>();
    private String name;
    private boolean daemon;
    private boolean prefixOutput;
    private StartMethod startMethod;
    private SerializationLimits limits = SerializationLimits.DEFAULT;
    private volatile ChildJvm child;
    /** Fixed at start: the allow-list the task crossed with, which the result crosses back with. */
    private volatile JavaSerializer serializer;

    private Process(Object task, boolean returnsResult) {
        this.task = task;
        this.returnsResult = returnsResult;
    }

    /** A process that runs {@code task}: Python's {@code Process(target=...)}. */
    public static Process<Void> target(SerializableRunnable task) {
        return new Process<>(Objects.requireNonNull(task, "task"), false);
    }

    /** A process that runs {@code task}; its value comes back through {@link #result()}. */
    public static <T> Process<T> callable(SerializableCallable<T> task) {
        return new Process<>(Objects.requireNonNull(task, "task"), true);
    }

    /** A process that runs {@code className}'s {@code public static void main(String[])} with {@code args}. */
    public static Process<Void> mainClass(String className, String... args) {
        return new Process<>(new MainClassTask(Objects.requireNonNull(className, "className"), List.of(args)), false);
    }

    /** This process's name, pid and parent's pid: Python's {@code current_process()}. */
    public static ProcessInfo current() {
        return Run.current().identity();
    }

    /** The start method of processes that do not choose one: Python's {@code set_start_method}. Default SPAWN. */
    public static void setDefaultStartMethod(StartMethod method) {
        defaultStartMethod = Objects.requireNonNull(method, "method");
    }

    /**
     * Starts the {@link StartMethod#WARM} standby set if it is not running, and waits at most
     * {@code timeout} until every standby JVM is ready: Python's {@code set_forkserver_preload}
     * moment, for a program that wants its first WARM start to be fast. A timeout of zero or less
     * starts the set and does not wait.
     *
     * @return whether the set is full
     */
    public static boolean prepareWarmStandby(Duration timeout) throws IOException, InterruptedException {
        return WarmStandby.get().awaitFull(Deadline.after(timeout));
    }

    /**
     * As {@link #prepareWarmStandby(Duration)}, with a set of at least {@code count} standby JVMs:
     * for a program about to start that many processes at once. The set keeps that size until this
     * process exits.
     *
     * @throws IllegalArgumentException if {@code count} is negative or more than 64 (each standby
     *         is an idle JVM of about 60 MiB)
     */
    public static boolean prepareWarmStandby(int count, Duration timeout) throws IOException, InterruptedException {
        if (count < 0 || count > WarmStandby.MOST) {
            throw new IllegalArgumentException("a standby set of " + count + " JVMs: the count must be 0 to "
                    + WarmStandby.MOST + " (each is an idle JVM of about 60 MiB)");
        }
        return WarmStandby.get().prepare(count, Deadline.after(timeout));
    }

    /** Names the process; the default is {@code Process-n}, numbered in start order. */
    public Process<T> name(String name) {
        return configure(() -> this.name = Objects.requireNonNull(name, "name"));
    }

    /** Makes the child die with its parent (default false). */
    public Process<T> daemon(boolean daemon) {
        return configure(() -> this.daemon = daemon);
    }

    /** Chooses how the child's JVM is started (default: {@link #setDefaultStartMethod}'s, SPAWN at first). */
    public Process<T> startMethod(StartMethod method) {
        return configure(() -> this.startMethod = Objects.requireNonNull(method, "method"));
    }

    /** Prefixes each line the child writes to standard output and error with {@code [name] } (default false). */
    public Process<T> prefixOutput(boolean prefix) {
        return configure(() -> this.prefixOutput = prefix);
    }

    /**
     * How large an object graph the task (decoded in the child) and the result (decoded here) may be;
     * default {@link SerializationLimits#DEFAULT}. A graph over them fails with a
     * {@link SerializationLimitException} naming the limit.
     */
    public Process<T> serializationLimits(SerializationLimits limits) {
        return configure(() -> this.limits = Objects.requireNonNull(limits, "limits"));
    }

    /** Lets these classes cross in the task (child side) and the result (parent side). */
    public Process<T> allow(Class<?>... classes) {
        return configure(() -> {
            for (Class<?> c : classes) {
                allowedClasses.add(c.getName());
            }
        });
    }

    /**
     * Lets the code of {@code code} cross in the task as the task's own does: a serializable
     * lambda's capturing class (and its nest host), or the object's own class. For a task that
     * captures a lambda or an object of another of the user's classes, such as a server's handler
     * factory.
     */
    public Process<T> allowCodeOf(Object code) {
        return configure(() -> allowedClasses.addAll(JavaSerializer.definingClasses(Objects.requireNonNull(code, "code"))));
    }

    /** Lets every class in {@code packageName} and its subpackages cross in the task and the result. */
    public Process<T> allowPackage(String packageName) {
        return configure(() -> allowedPackages.add(Objects.requireNonNull(packageName, "packageName")));
    }

    /**
     * Starts the child and returns at once; the child connects, authenticates and runs the task in
     * the background.
     *
     * @throws IllegalStateException if the process was started before
     * @throws NotSerializableException if the task, or something it captures, cannot be serialized
     * @throws IOException if the child JVM cannot be launched
     */
    public Process<T> start() throws IOException {
        lock.lock();
        try {
            if (child != null) {
                throw new IllegalStateException(name() + " was started already; a process starts once");
            }
            if (name == null) {
                name = Run.current().nextChildName();
            }
            serializer = serializer();
            byte[] encoded;
            PassedEnds passed = PassedEnds.collect();
            try {
                encoded = serializer.encode(task);
            } catch (NotSerializableException e) {
                passed.releaseAll();
                NotSerializableException clear = new NotSerializableException(e.getMessage()
                        + ": the task for " + name + " captures it, and everything a task captures must be "
                        + "Serializable");
                clear.initCause(e);
                throw clear;
            } catch (IOException | RuntimeException e) {
                passed.releaseAll();
                throw e;
            } finally {
                passed.close();
            }
            ChildJvm started;
            byte[] message;
            try {
                TaskOrder order = new TaskOrder(name, daemon, prefixOutput, returnsResult,
                        List.copyOf(serializer.allowedClasses()), List.copyOf(serializer.allowedPackages()), limits,
                        dev.spindle.process.wire.RemoteHubKeys.known(), encoded);
                message = order.encode();
                StartMethod method = startMethod != null ? startMethod : defaultStartMethod;
                started = method == StartMethod.WARM ? WarmStandby.get().take()
                        : ChildJvm.launch(Hub.get(), false);
            } catch (IOException | RuntimeException e) {
                passed.releaseAll();
                throw e;
            }
            // The pipe ends the task captured stay open for the child until it exits or closes them.
            try {
                passed.bindTo(started.os.pid());
            } catch (IOException e) {
                // The holder of a captured pipe is gone, and its pipe with it: the child will find it ended.
                passed.releaseAll();
            }
            child = started;
            Children.started(started.os, daemon, started.link.handedOver);
            started.link.outcome.whenComplete((given, error) -> {
                if (given != null) {
                    outcome.set(given);
                }
                reported.complete(null);
            });
            started.peer.whenComplete((peer, error) -> {
                if (error != null) {
                    Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
                    linkFailure.set(cause instanceof IOException io ? io : new IOException(cause));
                    started.link.peerEnded(null);
                }
            });
            started.link.assign(message);
            return this;
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the child to end. */
    public void join() throws InterruptedException {
        started().os.waitFor();
        awaitReport(Deadline.NONE);
    }

    /**
     * Waits at most {@code timeout} for the child to end. Zero or negative means do not wait (as
     * {@link java.util.concurrent.Semaphore#tryAcquire(long, TimeUnit) Semaphore.tryAcquire}), never
     * wait forever: it tells whether the child has ended already.
     *
     * @return true if it ended, false if the time ran out first
     */
    public boolean join(Duration timeout) throws InterruptedException {
        Deadline deadline = Deadline.after(timeout);
        ChildJvm c = started();
        if (!deadline.waitFor(c.os)) {
            return false;
        }
        // Ended. What the child reported is read from its link at once; exitCode() and result()
        // wait for that themselves, so the time left goes to it and no more.
        awaitReport(deadline);
        return true;
    }

    /**
     * A future that completes with this process once its child has ended and what the child
     * reported (its result, its exception, the signal that ended it) has been read: from then on
     * {@link #exitCode}, {@link #exception} and {@link #result} answer at once. Like
     * {@link java.lang.Process#onExit}. Dependent actions chained without {@code Async} run on the
     * thread that completed it (one of the JDK's process reapers, or the thread that read the
     * child's link): keep them short, or chain them with an {@code Async} form.
     *
     * @throws IllegalStateException if the process has not been started
     */
    public java.util.concurrent.CompletableFuture<Process<T>> onExit() {
        ChildJvm c = started();
        return c.os.onExit().thenCombine(reported, (os, read) -> this);
    }

    /** Whether the child has started and not yet ended. */
    public boolean isAlive() {
        ChildJvm c = child;
        return c != null && c.os.isAlive();
    }

    /** Asks the child to stop: SIGTERM. It runs its shutdown hooks and ends with exit code -15. */
    public void terminate() {
        started().os.destroy();
    }

    /** Stops the child at once: SIGKILL. It ends with exit code -9. */
    public void kill() {
        started().os.destroyForcibly();
    }

    /** The child's operating-system process id. */
    public long pid() {
        return started().os.pid();
    }

    /** The process's name. */
    public String name() {
        lock.lock();
        try {
            return name != null ? name : "an unstarted process";
        } finally {
            lock.unlock();
        }
    }

    /** Whether the child dies with its parent. */
    public boolean isDaemon() {
        return daemon;
    }

    /**
     * The exit code once the child has ended, empty before: 0 when the task returned, 1 when it
     * threw, the code it passed to {@code System.exit}, {@code -n} when signal {@code n} ended it.
     */
    public OptionalInt exitCode() {
        ChildJvm c = child;
        if (c == null || c.os.isAlive()) {
            return OptionalInt.empty();
        }
        awaitReport();
        int raw = c.os.exitValue();
        Outcome o = outcome.get();
        if (o != null && o.kind() == Outcome.Kind.SIGNALLED) {
            return OptionalInt.of(-o.signal());
        }
        // Without an outcome the child died abruptly; the JDK reports a signal death as 128 + n.
        if (o == null && raw > 128 && raw <= 128 + 64) {
            return OptionalInt.of(128 - raw);
        }
        return OptionalInt.of(raw);
    }

    /** The exception the task threw, with the child's stack trace, once the child has ended. */
    public Optional<ChildException> exception() {
        if (exitCode().isEmpty()) {
            return Optional.empty();
        }
        Outcome o = outcome.get();
        return o != null && o.kind() == Outcome.Kind.THREW ? Optional.of((ChildException) o.failure())
                : Optional.empty();
    }

    /**
     * {@link #result()}, waiting at most {@code timeout} for the child to end. Zero or negative means
     * do not wait (as {@link java.util.concurrent.Semaphore#tryAcquire(long, TimeUnit) Semaphore.tryAcquire}),
     * never wait forever: it returns the result only if the child has ended already.
     *
     * @throws java.util.concurrent.TimeoutException if the child is still running when the time runs out
     * @throws ProcessFailedException as {@link #result()}
     */
    public T result(Duration timeout) throws InterruptedException, java.util.concurrent.TimeoutException {
        if (!join(timeout)) {
            throw new java.util.concurrent.TimeoutException(name() + " is still running after " + timeout
                    + "; its result is not ready");
        }
        // Ended: what it reported has been read, or join(timeout) used the time left waiting for it.
        return ended();
    }

    /**
     * Waits for the child to end and returns its task's value ({@code null} for a runnable).
     *
     * @throws ProcessFailedException if the task threw (the cause is the child's exception), the
     *         child ended before finishing its task, or the value could not be decoded
     */
    public T result() throws InterruptedException {
        join();
        return ended();
    }

    /** The result of a child that has ended. */
    @SuppressWarnings("unchecked")
    private T ended() {
        OptionalInt code = exitCode();
        Outcome o = outcome.get();
        if (o != null && o.kind() == Outcome.Kind.RETURNED) {
            if (!returnsResult) {
                return null;
            }
            try {
                return (T) serializer.decode(o.result());
            } catch (IOException e) {
                throw new ProcessFailedException("the result of " + name() + " could not be decoded: "
                        + e.getMessage(), code, e);
            }
        }
        if (o != null && o.kind() == Outcome.Kind.THREW) {
            throw new ProcessFailedException("the task of " + name() + " threw " + o.failure().getMessage(),
                    code, o.failure());
        }
        IOException failure = linkFailure.get();
        throw new ProcessFailedException(name() + " ended with exit code " + code.orElseThrow()
                + " before its task finished" + (failure == null ? "" : ": " + failure.getMessage()), code, failure);
    }

    /** Kills the child if it is still running and waits for it to end. Does nothing to a new process. */
    @Override
    public void close() {
        ChildJvm c = child;
        if (c != null) {
            c.os.destroyForcibly();
            try {
                c.os.waitFor();
                awaitReport(Deadline.NONE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        ChildJvm c = child;
        String state = c == null ? "new" : c.os.isAlive() ? "alive pid=" + c.os.pid()
                : "ended exitCode=" + exitCode().orElseThrow();
        return "Process[" + name() + ", " + state + (daemon ? ", daemon" : "") + "]";
    }

    private void awaitReport() {
        try {
            awaitReport(Deadline.afterNanos(OUTCOME_AFTER_EXIT_NANOS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until what the child reported has been read, at most until {@code deadline}. */
    private void awaitReport(Deadline deadline) throws InterruptedException {
        try {
            deadline.get(reported);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // Never completed exceptionally; out of time, the callers read what there is.
        }
    }

    private JavaSerializer serializer() {
        return JavaSerializer.allowing(allowedClasses, allowedPackages, limits).allowCodeOf(task);
    }

    private ChildJvm started() {
        ChildJvm c = child;
        if (c == null) {
            throw new IllegalStateException("the process has not been started; call start() first");
        }
        return c;
    }

    private Process<T> configure(Runnable change) {
        lock.lock();
        try {
            if (child != null) {
                throw new IllegalStateException(name + " has started; its settings can no longer change");
            }
            change.run();
            return this;
        } finally {
            lock.unlock();
        }
    }
}
