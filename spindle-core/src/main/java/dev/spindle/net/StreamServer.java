package dev.spindle.net;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A stream server over TCP or a Unix-domain socket: Python's {@code socketserver.TCPServer} and
 * {@code UnixStreamServer} with every mix-in. It runs a blocking {@link ConnectionHandler} under
 * the blocking models, or an event-driven {@link Protocol} under every {@link Model}, the
 * non-blocking {@link Model#eventLoop(int)} and {@link Model#ASYNC} included.
 *
 * <pre>{@code
 * try (StreamServer server = StreamServer.builder()
 *         .bind("127.0.0.1", 9999)
 *         .model(Model.VIRTUAL)
 *         .handler(connection -> {
 *             byte[] data;
 *             while ((data = connection.recv(8192)).length > 0) {
 *                 connection.sendAll(data);
 *             }
 *         })
 *         .open()) {
 *     server.serveForever();
 * }
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 * <ul>
 *   <li>{@link State#OPEN}: {@link StreamServerBuilder#open()} has bound and is listening; connections wait
 *       in the backlog until a thread accepts them with {@link #serveForever()}, {@link #start()}
 *       or {@link #handleRequest(Duration)}.</li>
 *   <li>{@link State#SERVING}: a thread is in {@link #serveForever()}.</li>
 *   <li>{@link State#SHUTTING_DOWN}: {@link #shutdown(Duration)} has stopped accepting and waits
 *       for handlers until its deadline, then closes their connections.</li>
 *   <li>{@link State#CLOSED}: nothing is left; the port is free and a Unix socket file is removed.</li>
 * </ul>
 *
 * <h2>Overload and hygiene</h2>
 * Exactly one thread accepts. While the server holds {@link StreamServerBuilder#maxConnections(int)}
 * connections, or all a pool can run and queue, its {@link WhenFull} policy decides: by default
 * it stops accepting, so new connections wait in the listen backlog; with {@link WhenFull#REFUSE}
 * it accepts them and closes them at once. A connection the verify hook rejects is refused either
 * way. A refused connection gets end-of-stream before the close and is counted in
 * {@link ServerStats#refused()}. When
 * accepting fails (the process is out of file descriptors) the accepting thread backs off, from
 * 5 ms doubling to 1 s, instead of spinning; failed attempts are counted in
 * {@link ServerStats#acceptFailures()}, and the log says when they start and when accepting works
 * again. A handler's exception, a framing error, a timeout or a connection past the
 * {@link StreamServerBuilder#inputBudget(long) input budget} ends its own connection only.
 *
 * <h2>Logging</h2>
 * Failures are logged through {@code System.Logger} (the logger named after this class) unless an
 * {@link StreamServerBuilder#onError error hook} is given. Control characters in a line, which a peer's bytes
 * may bring in through an exception's message, are escaped ({@code \n}, &#92;u0000, ...), so a
 * peer cannot forge log lines. Connection failures are rate-limited per server, a burst of 20 then
 * 10 a second; the rest are counted and the next line (or the shutdown) says how many were
 * suppressed since when. {@link ServerStats#errors()} and an error hook see every failure.
 *
 * <h2>Structure</h2>
 * The {@link Model} makes an acceptor for the server's channel kind (a selector over a
 * {@code ServerSocketChannel}, or an asynchronous channel group) with a runner for what it
 * accepts; every connection is admitted, counted and drained by one registry. This class is the
 * lifecycle.
 *
 * <h2>Threads</h2>
 * All methods are thread-safe. {@link #shutdown(Duration)} may be called from any thread,
 * including a handler of this server (it does not wait for the calling handler) and the
 * accepting thread itself; it never deadlocks.
 */
public final class StreamServer implements AutoCloseable {

    /** The lifecycle states, in the order a server passes through them. */
    public enum State { OPEN, SERVING, SHUTTING_DOWN, CLOSED }

    private static final AtomicInteger SERVER_NUMBERS = new AtomicInteger();
    private static final long FORCED_CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    static {
        // A server out of file descriptors cannot open a class file (from a directory class path),
        // and a class that failed to load stays failed for the life of the JVM. So link now the
        // classes a connection needs when it is accepted, ends or times out; linking one loads
        // the classes its verifier needs, such as ChannelConnection's stream classes.
        for (Class<?> c : List.of(ChannelConnection.class, CloseReason.class, ChannelConnection.Write.class,
                TimeoutWatchdog.class, ServerCounters.class, ServerStats.class, ServerLog.class,
                ServerLog.EscapedThrowable.class, AcceptFailures.class, Deadline.class, InputBudget.class,
                InputBudget.Account.class, InputBudgetExceededException.class, ConnectionRegistry.class,
                ServerErrors.class, BlockingRunner.class, OutboundBuffer.class, OutboundBuffer.AfterFlush.class,
                ConnectionRegistry.Starter.class, ConnectionRegistry.SocketAction.class, SelectorAcceptor.class,
                LoopRunner.class, LiveConnection.class, TimeoutWatchdog.Timed.class, WhenFull.class,
                StreamChannel.class, StreamChannel.Plain.class, ConnectionSecurity.class)) {
            try {
                Class.forName(c.getName(), true, c.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    private final String name;
    private final ServerContext context;
    private final ConnectionRegistry registry;
    private final Acceptor acceptor;
    private final Model model;
    private final Duration shutdownGrace;
    private final long pollIntervalNanos;
    private final Runnable onTimeout;
    private final Runnable serviceActions;

    /** Held by the one thread that accepts, in serveForever or handleRequest. */
    private final ReentrantLock acceptLock = new ReentrantLock();
    private final ReentrantLock stateLock = new ReentrantLock();
    /** Signalled when the accepting thread leaves, and when the server closes. */
    private final Condition changed = stateLock.newCondition();
    private volatile State state = State.OPEN;
    private volatile Thread acceptingThread;

    StreamServer(ServerContext context, Acceptor acceptor, Model model, Duration shutdownGrace,
                 long pollIntervalNanos, Runnable onTimeout, Runnable serviceActions) {
        this.name = context.name();
        this.context = context;
        this.registry = context.registry();
        this.acceptor = acceptor;
        this.model = model;
        this.shutdownGrace = shutdownGrace;
        this.pollIntervalNanos = pollIntervalNanos;
        this.onTimeout = onTimeout;
        this.serviceActions = serviceActions;
    }

    /** A builder with the defaults: 127.0.0.1, an ephemeral port, {@link Model#VIRTUAL}, raw framing. */
    public static StreamServerBuilder builder() {
        return new StreamServerBuilder();
    }

    /** The default name of the next server: {@code spindle-N}. */
    static String nextName() {
        return "spindle-" + SERVER_NUMBERS.incrementAndGet();
    }

    // ---- accepting ----

    /**
     * Accepts and serves connections on the calling thread until {@link #shutdown(Duration)}.
     * Runs the service-actions hook about every poll interval.
     *
     * @throws IllegalStateException when another thread is accepting, or the server is shut down
     */
    public void serveForever() {
        beginAccepting("serveForever", State.SERVING);
        try {
            while (state == State.SERVING && !acceptor.isClosed()) {
                acceptor.serveUntil(Deadline.afterNanos(pollIntervalNanos));
                runServiceActions();
            }
        } catch (IOException e) {
            if (!acceptor.isClosed()) {
                context.log().log(System.Logger.Level.ERROR, name + ": accepting stopped: " + e, e);
            }
        } finally {
            endAccepting();
        }
    }

    /**
     * Starts {@link #serveForever()} on a new thread named {@code <name>-accept} and returns.
     *
     * @throws IllegalStateException when the server is shut down
     */
    public void start() {
        if (state == State.SHUTTING_DOWN || state == State.CLOSED) {
            throw new IllegalStateException(name + " is " + state + "; open a new server");
        }
        Thread.ofPlatform().name(name + "-accept").start(() -> {
            try {
                serveForever();
            } catch (IllegalStateException e) {
                if (state != State.SHUTTING_DOWN && state != State.CLOSED) {
                    throw e;
                }
                // shut down before this thread began: nothing to serve
            }
        });
    }

    /**
     * Waits up to {@code timeout} for one connection and serves it under the model, as Python's
     * {@code handle_request}: under {@link Model#SYNC} it returns when the handler is done, under
     * the other models when the connection has been handed over. When no connection arrives in
     * time, runs the timeout hook. Zero or negative means do not wait (as
     * {@link java.util.concurrent.Semaphore#tryAcquire(long, TimeUnit) Semaphore.tryAcquire}), never
     * wait forever: it serves a connection already waiting in the backlog, if there is one.
     *
     * @return {@code true} when a connection was accepted (served, or refused), {@code false} on timeout
     * @throws IllegalStateException when another thread is accepting, or the server is shut down
     * @throws UnsupportedOperationException under {@link Model#ASYNC}, whose accept cannot be abandoned
     * @throws IOException when waiting for a connection fails
     */
    public boolean handleRequest(Duration timeout) throws IOException {
        Deadline deadline = Deadline.after(timeout);
        beginAccepting("handleRequest", State.OPEN);
        try {
            if (acceptor.acceptOne(deadline)) {
                return true;
            }
        } finally {
            endAccepting();
        }
        if (onTimeout != null && state == State.OPEN) {
            onTimeout.run();
        }
        return false;
    }

    private void beginAccepting(String operation, State newState) {
        if (!acceptLock.tryLock()) {
            throw new IllegalStateException(operation + ": another thread is already accepting on " + name);
        }
        stateLock.lock();
        try {
            if (state != State.OPEN || acceptor.isClosed()) {
                throw new IllegalStateException(operation + ": " + name + " is " + state
                        + (state == State.SERVING ? "" : "; open a new server"));
            }
            state = newState;
            acceptingThread = Thread.currentThread();
        } catch (RuntimeException e) {
            acceptLock.unlock();
            throw e;
        } finally {
            stateLock.unlock();
        }
    }

    private void endAccepting() {
        stateLock.lock();
        try {
            if (state == State.SERVING) {
                state = State.OPEN;
            }
            acceptingThread = null;
            changed.signalAll();
        } finally {
            stateLock.unlock();
            acceptLock.unlock();
        }
    }

    private void runServiceActions() {
        if (serviceActions == null) {
            return;
        }
        try {
            serviceActions.run();
        } catch (RuntimeException e) {
            context.errors().report(null, e);
        }
    }

    // ---- shutting down ----

    /**
     * Stops accepting, lets running handlers finish until {@code grace} has passed, then closes
     * the connections still open (their blocked reads and writes fail) and waits up to one more
     * second for their handlers to return. Connections waiting in a pool's queue are served within
     * the grace period, or closed unserved. Zero or negative means do not wait (as
     * {@link java.util.concurrent.Semaphore#tryAcquire(long, TimeUnit) Semaphore.tryAcquire}), never
     * wait forever: the connections open are closed at once (the wait of up to a second for their
     * handlers to return still follows). Idempotent; concurrent calls each wait.
     *
     * <p>Called from a handler of this server, it does not wait for that handler, and leaves its
     * connection open for it to finish with.
     *
     * @return {@code true} when every handler finished within the grace period
     */
    public boolean shutdown(Duration grace) {
        Deadline deadline = Deadline.after(grace);
        if (state == State.CLOSED) {
            return true;
        }
        // Close first, so that once the state says SHUTTING_DOWN no new connection gets in.
        acceptor.closeListener();
        stateLock.lock();
        try {
            if (state != State.CLOSED) {
                state = State.SHUTTING_DOWN;
            }
        } finally {
            stateLock.unlock();
        }
        Thread accepting = acceptingThread;
        if (accepting != null) {
            LockSupport.unpark(accepting); // out of an accept back-off
        }
        acceptor.stopIntake();
        LiveConnection own = BlockingRunner.servedByCurrentThread();
        if (own != null && !registry.holds(own)) {
            own = null; // the caller serves another server's connection
        }
        boolean finished = acceptor.drain(deadline);
        finished &= registry.awaitEnded(own, deadline);
        if (!finished) {
            registry.closeAll(own, CloseReason.SHUTDOWN);
            registry.awaitEnded(own, Deadline.afterNanos(FORCED_CLOSE_WAIT_NANOS));
        }
        awaitAcceptingThread(Deadline.afterNanos(FORCED_CLOSE_WAIT_NANOS));
        if (!acceptor.stop(Deadline.afterNanos(FORCED_CLOSE_WAIT_NANOS))) {
            context.log().log(System.Logger.Level.WARNING, name + ": the model's threads did not stop within 1 s", null);
        }
        context.log().flushSuppressed(name);
        stateLock.lock();
        try {
            state = State.CLOSED;
            changed.signalAll();
        } finally {
            stateLock.unlock();
        }
        return finished;
    }

    /** Shuts down with the builder's {@link StreamServerBuilder#shutdownGrace(Duration) shutdown grace}. */
    @Override
    public void close() {
        shutdown(shutdownGrace);
    }

    private void awaitAcceptingThread(Deadline deadline) {
        stateLock.lock();
        try {
            Thread t;
            while ((t = acceptingThread) != null && t != Thread.currentThread()) {
                if (!deadline.await(changed)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stateLock.unlock();
        }
    }

    // ---- inspection ----

    /** The address the server is bound to; with port 0, the port the system chose. */
    public SocketAddress localAddress() {
        return acceptor.localAddress();
    }

    /** The bound TCP port, or -1 for a Unix-domain server. */
    public int port() {
        return localAddress() instanceof InetSocketAddress inet ? inet.getPort() : -1;
    }

    /** A snapshot of the live counters. */
    public ServerStats stats() {
        return context.counters().snapshot(context.inputBudget().used()).plus(acceptor.remoteStats());
    }

    /** The pids of the process model's worker JVMs that are listening, for tests; empty under the other models. */
    java.util.List<Long> workerPids() {
        return acceptor.workerPids();
    }

    /** The budget for buffered input, for tests. */
    InputBudget inputBudget() {
        return context.inputBudget();
    }

    /** Where the server is in its lifecycle. */
    public State state() {
        return state;
    }

    /** The model connections run under. */
    public Model model() {
        return model;
    }

    /** The server's name, the prefix of its threads' names. */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name + " on " + localAddress() + " (" + model + ", " + state + ")";
    }
}
