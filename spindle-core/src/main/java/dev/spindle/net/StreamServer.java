package dev.spindle.net;

import dev.spindle.codec.Framing;
import dev.spindle.codec.FramingException;
import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

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
 *   <li>{@link State#OPEN}: {@link Builder#open()} has bound and is listening; connections wait
 *       in the backlog until a thread accepts them with {@link #serveForever()}, {@link #start()}
 *       or {@link #handleRequest(Duration)}.</li>
 *   <li>{@link State#SERVING}: a thread is in {@link #serveForever()}.</li>
 *   <li>{@link State#SHUTTING_DOWN}: {@link #shutdown(Duration)} has stopped accepting and waits
 *       for handlers until its deadline, then closes their connections.</li>
 *   <li>{@link State#CLOSED}: nothing is left; the port is free and a Unix socket file is removed.</li>
 * </ul>
 *
 * <h2>Overload and hygiene</h2>
 * Exactly one thread accepts. A connection over {@link Builder#maxConnections(int)}, one a full
 * pool cannot take, and one the verify hook rejects are all <i>refused</i>: the server sends
 * end-of-stream and closes it at once, and counts it in {@link ServerStats#refused()}. When
 * accepting fails (the process is out of file descriptors) the accepting thread backs off, from
 * 5 ms doubling to 1 s, instead of spinning; failed attempts are counted in
 * {@link ServerStats#acceptFailures()}, and the log says when they start and when accepting works
 * again. A handler's exception, a framing error, a timeout or a connection past the
 * {@link Builder#inputBudget(long) input budget} ends its own connection only.
 *
 * <h2>Logging</h2>
 * Failures are logged through {@code System.Logger} (the logger named after this class) unless an
 * {@link Builder#onError error hook} is given. Control characters in a line, which a peer's bytes
 * may bring in through an exception's message, are escaped ({@code \n}, &#92;u0000, ...), so a
 * peer cannot forge log lines. Connection failures are rate-limited per server, a burst of 20 then
 * 10 a second; the rest are counted and the next line (or the shutdown) says how many were
 * suppressed since when. {@link ServerStats#errors()} and an error hook see every failure.
 *
 * <h2>Threads</h2>
 * All methods are thread-safe. {@link #shutdown(Duration)} may be called from any thread,
 * including a handler of this server (it does not wait for the calling handler) and the
 * accepting thread itself; it never deadlocks.
 */
public final class StreamServer implements AutoCloseable, TransportOwner {

    /** The lifecycle states, in the order a server passes through them. */
    public enum State { OPEN, SERVING, SHUTTING_DOWN, CLOSED }

    private static final AtomicInteger SERVER_NUMBERS = new AtomicInteger();
    private static final long FORCED_CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int ACCEPT_BATCH = 64;
    /** The connection a handler thread is serving, so that shutdown from a handler skips waiting for itself. */
    private static final ThreadLocal<ChannelConnection> SERVING = new ThreadLocal<>();
    static {
        // A server out of file descriptors cannot open a class file (from a directory class path),
        // and a class that failed to load stays failed for the life of the JVM. So link now the
        // classes a connection needs when it is accepted, ends or times out; linking one loads
        // the classes its verifier needs, such as ChannelConnection's stream classes.
        for (Class<?> c : List.of(ChannelConnection.class, CloseReason.class, ChannelConnection.Write.class,
                TimeoutWatchdog.class, ServerCounters.class, ServerStats.class, ServerLog.class,
                ServerLog.EscapedThrowable.class, AcceptFailures.class, Deadline.class, InputBudget.class,
                InputBudget.Account.class, InputBudgetExceededException.class)) {
            try {
                Class.forName(c.getName(), true, c.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    private final String name;
    /** The listening socket of every model but ASYNC; null under ASYNC. */
    private final ServerSocketChannel listener;
    /** The listening socket under ASYNC, bound to its channel group; null otherwise. */
    private final AsynchronousServerSocketChannel asyncListener;
    /** The ASYNC model's thread group, shut down after the connections; null otherwise. */
    private final java.nio.channels.AsynchronousChannelGroup asyncGroup;
    private final Selector selector;
    private final SocketAddress localAddress;
    private final Path unixSocketFile;
    private final Supplier<? extends ConnectionHandler> handlers;
    private final Supplier<? extends Protocol> protocols;
    /** The selector loops of the event-loop model; empty for the other models. */
    private final EventLoop[] loops;
    private int nextLoop; // accepting thread only
    private final Model model;
    private final Dispatcher dispatcher;
    private final ConnectionSettings settings;
    /** The lesser of the builder's maximum and what the model holds; a permit per open connection. */
    private final int maxConnections;
    private final Semaphore permits;
    private final Duration shutdownGrace;
    private final long pollIntervalNanos;
    private final Predicate<? super SocketAddress> verify;
    private final BiConsumer<? super SocketAddress, ? super Throwable> onError;
    private final Runnable onTimeout;
    private final Runnable serviceActions;
    private final InputBudget inputBudget;

    private final ServerCounters counters = new ServerCounters();
    private final ConcurrentHashMap<Long, LiveConnection> live = new ConcurrentHashMap<>();
    private final AtomicLong connectionNumbers = new AtomicLong();
    /** Held by the one thread that accepts, in serveForever or handleRequest. */
    private final ReentrantLock acceptLock = new ReentrantLock();
    private final ReentrantLock stateLock = new ReentrantLock();
    /** Signalled when a connection ends during shutdown, and when the accepting thread leaves. */
    private final Condition changed = stateLock.newCondition();
    private volatile State state = State.OPEN;
    private volatile Thread acceptingThread;
    /** Set once, by the first thread to close the listener; accepting stops when it is. */
    private final AtomicBoolean listenerClosed = new AtomicBoolean();
    private final ServerLog log = new ServerLog();
    private final AcceptFailures acceptFailures;
    /** Whether failures go to the default log line rather than a hook of the user's. */
    private final boolean defaultErrorHook;

    private StreamServer(Builder b, ServerSocketChannel listener, Selector selector,
                         AsynchronousServerSocketChannel asyncListener,
                         java.nio.channels.AsynchronousChannelGroup asyncGroup) throws IOException {
        this.name = b.name != null ? b.name : "spindle-" + SERVER_NUMBERS.incrementAndGet();
        this.listener = listener;
        this.selector = selector;
        this.asyncListener = asyncListener;
        this.asyncGroup = asyncGroup;
        this.localAddress = asyncListener != null ? asyncListener.getLocalAddress() : listener.getLocalAddress();
        this.unixSocketFile = localAddress instanceof UnixDomainSocketAddress u ? u.getPath() : null;
        this.handlers = b.handlers;
        this.protocols = b.protocols;
        this.model = b.model;
        this.dispatcher = b.model.newDispatcher(name);
        this.settings = b.settings.copy();
        this.maxConnections = Math.min(b.maxConnections, b.model.capacity());
        this.permits = maxConnections == Integer.MAX_VALUE ? null : new Semaphore(maxConnections);
        this.shutdownGrace = b.shutdownGrace;
        this.pollIntervalNanos = b.pollInterval.toNanos();
        this.verify = b.verify;
        this.onError = b.onError != null ? b.onError : this::logFailure;
        this.defaultErrorHook = b.onError == null;
        this.acceptFailures = new AcceptFailures(name, log, counters.acceptFailures);
        this.onTimeout = b.onTimeout;
        this.serviceActions = b.serviceActions;
        this.inputBudget = new InputBudget(b.inputBudget > 0 ? b.inputBudget : InputBudget.defaultLimit());
        // Last, so that nothing after it can fail and leave the loops' threads running.
        this.loops = EventLoop.startAll(name, b.model.kind() == Model.Kind.EVENT_LOOP ? b.model.threads() : 0,
                b.settings.readTimeout, counters);
    }

    /** A builder with the defaults: 127.0.0.1, an ephemeral port, {@link Model#VIRTUAL}, raw framing. */
    public static Builder builder() {
        return new Builder();
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
        if (asyncListener != null) {
            try {
                acceptAsync();
                awaitListenerClosed();
            } finally {
                endAccepting();
            }
            return;
        }
        try {
            long nextService = System.nanoTime() + pollIntervalNanos;
            while (state == State.SERVING && !listenerClosed.get()) {
                long wait = nextService - System.nanoTime();
                if (wait > 0) {
                    selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
                    selector.selectedKeys().clear();
                }
                for (int i = 0; i < ACCEPT_BATCH && state == State.SERVING && acceptOne(); i++) {
                    // SYNC serves inside acceptOne; other models only hand the connection over
                }
                if (System.nanoTime() - nextService >= 0) {
                    runServiceActions();
                    nextService = System.nanoTime() + pollIntervalNanos;
                }
            }
        } catch (ClosedSelectorException | IOException e) {
            if (!listenerClosed.get()) {
                log.log(System.Logger.Level.ERROR, name + ": accepting stopped: " + e, e);
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
        Thread.ofPlatform().name(name + "-accept").start(this::serveForever);
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
     * @throws IOException when waiting for a connection fails
     */
    public boolean handleRequest(Duration timeout) throws IOException {
        if (asyncListener != null) {
            throw new UnsupportedOperationException("handleRequest is not available under the async model: an "
                    + "asynchronous accept cannot be abandoned without closing the listener; use serveForever or start");
        }
        Deadline deadline = Deadline.after(timeout);
        beginAccepting("handleRequest", State.OPEN);
        try {
            while (state == State.OPEN) {
                if (acceptOne()) {
                    return true;
                }
                if (deadline.hasExpired()) {
                    break;
                }
                selector.select(deadline.selectMillis());
                selector.selectedKeys().clear();
            }
        } catch (ClosedSelectorException e) {
            return false;
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
            if (state != State.OPEN || listenerClosed.get()) {
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

    /** Accepts one pending connection, if any, and admits or refuses it. */
    private boolean acceptOne() {
        SocketChannel channel;
        try {
            channel = listener.accept();
        } catch (ClosedChannelException e) {
            return false;
        } catch (IOException e) {
            acceptFailed(e);
            return false;
        }
        if (channel == null) {
            return false;
        }
        acceptFailures.succeeded();
        counters.accepted.increment();
        admit(channel);
        return true;
    }

    /**
     * Accepting failed, most often for want of file descriptors (EMFILE): counted, logged when the
     * failures start and when they end, and waited out with a back-off ({@link AcceptFailures});
     * a shutdown unparks the accepting thread. A hook of the user's hears of each failure.
     */
    private void acceptFailed(IOException e) {
        Deadline pause = Deadline.afterNanos(acceptFailures.failed(e));
        if (!defaultErrorHook) {
            reportError(null, e);
        }
        while (!listenerClosed.get() && !pause.hasExpired()) {
            LockSupport.parkNanos(this, pause.remainingNanos());
        }
    }

    /**
     * The verify hook and the connection cap, common to every model.
     *
     * @return {@code null} when admitted (a permit is then held), else why the connection is refused
     */
    private String admission(SocketAddress peer) {
        if (verify != null && !verify.test(peer)) {
            return "rejected by the verify hook";
        }
        if (permits != null && !permits.tryAcquire()) {
            return "the server holds its maximum of " + maxConnections + " connections (" + model + ")";
        }
        return null;
    }

    /** Arms the next asynchronous accept; each completion admits its connection and re-arms. */
    private void acceptAsync() {
        if (listenerClosed.get()) {
            return;
        }
        try {
            asyncListener.accept(null, new java.nio.channels.CompletionHandler<AsynchronousSocketChannel, Void>() {
                @Override
                public void completed(AsynchronousSocketChannel channel, Void unused) {
                    acceptFailures.succeeded();
                    counters.accepted.increment();
                    acceptAsync(); // the next accept is pending while this connection is set up
                    admitAsync(channel);
                }

                @Override
                public void failed(Throwable t, Void unused) {
                    if (listenerClosed.get()) {
                        return;
                    }
                    if (t instanceof IOException e) {
                        acceptFailed(e); // parks this group thread for the back-off
                    } else {
                        reportError(null, t);
                    }
                    acceptAsync();
                }
            });
        } catch (java.nio.channels.ShutdownChannelGroupException e) {
            // closing: nothing more to accept
        } catch (java.nio.channels.AcceptPendingException e) {
            throw new IllegalStateException("an accept is already pending on " + name, e);
        }
    }

    private void admitAsync(AsynchronousSocketChannel channel) {
        SocketAddress peer = null;
        boolean permitted = false;
        LiveConnection connection = null;
        try {
            peer = channel.getRemoteAddress();
            String refusal = admission(peer);
            if (refusal != null) {
                refuse(channel, channel::shutdownOutput, peer, refusal);
                return;
            }
            permitted = true;
            settings.applyOptions(channel);
            AsyncTransport transport = new AsyncTransport(connectionNumbers.incrementAndGet(), channel,
                    protocols.get(), counters, this, settings.readTimeout.toNanos(), inputBudget);
            connection = transport;
            live.put(transport.id(), transport);
            counters.active.increment();
            transport.start();
        } catch (Throwable e) {
            release(connection, permitted);
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to release
            }
            counters.errors.increment();
            reportError(peer, e);
            rethrowIfFatal(e);
        }
    }

    private void awaitListenerClosed() {
        stateLock.lock();
        try {
            while (!listenerClosed.get()) {
                changed.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stateLock.unlock();
        }
    }

    private void admit(SocketChannel channel) {
        SocketAddress peer = peerOf(channel);
        boolean permitted = false;
        LiveConnection connection = null;
        try {
            String refusal = admission(peer);
            if (refusal != null) {
                refuse(channel, channel::shutdownOutput, peer, refusal);
                return;
            }
            permitted = true;
            if (loops.length > 0) {
                channel.configureBlocking(false);
                settings.applyOptions(channel);
                EventLoop loop = loops[nextLoop];
                nextLoop = (nextLoop + 1) % loops.length;
                NioTransport transport = new NioTransport(connectionNumbers.incrementAndGet(), channel, loop,
                        protocols.get(), this, inputBudget);
                connection = transport;
                live.put(transport.id(), transport);
                counters.active.increment();
                loop.execute(transport::start);
                return;
            }
            channel.configureBlocking(true);
            ChannelConnection accepted = new ChannelConnection(connectionNumbers.incrementAndGet(), channel,
                    settings, counters, inputBudget);
            connection = accepted;
            live.put(accepted.id(), accepted);
            counters.active.increment();
            dispatcher.dispatch(() -> serve(accepted));
        } catch (RejectedExecutionException | OutOfMemoryError e) {
            release(connection, permitted);
            refuse(channel, channel::shutdownOutput, peer,
                    "the " + model + " model has no room (" + e.getMessage() + ")");
        } catch (Throwable e) {
            // Whatever one connection hits (even a LinkageError), the accepting thread goes on.
            release(connection, permitted);
            closeQuietly(channel);
            counters.errors.increment();
            reportError(peer, e);
            rethrowIfFatal(e);
        }
    }

    private void release(LiveConnection connection, boolean permitted) {
        if (connection != null) {
            forget(connection);
        } else if (permitted && permits != null) {
            permits.release();
        }
    }

    /** A socket operation that may fail: a channel's {@code shutdownOutput}, whatever its kind. */
    private interface SocketAction {
        void run() throws IOException;
    }

    /**
     * Counts and closes a refused connection, blocking or asynchronous: end-of-stream first, so
     * that the client reads EOF rather than a reset.
     */
    private void refuse(java.nio.channels.Channel channel, SocketAction shutdownOutput, SocketAddress peer,
                        String why) {
        counters.refused.increment();
        log.debug(() -> name + ": refused " + peer + ": " + why);
        try {
            shutdownOutput.run();
        } catch (IOException ignored) {
            // the peer is already gone
        }
        closeQuietly(channel);
    }

    // ---- serving one connection ----

    private void serve(ChannelConnection connection) {
        SERVING.set(connection);
        try {
            if (connection.closeReason() != CloseReason.NONE) {
                return; // closed by shutdown while it waited in a pool's queue
            }
            ConnectionHandler handler = handlers.get();
            try {
                handler.setup(connection);
            } catch (Throwable t) {
                failed(connection, t);
                return;
            }
            try {
                handler.handle(connection);
            } catch (Throwable t) {
                failed(connection, t);
            } finally {
                try {
                    handler.finish(connection);
                } catch (Throwable t) {
                    failed(connection, t);
                }
            }
            if (connection.refusal() != null) {
                failed(connection, connection.refusal()); // counted even when the handler swallowed it
            }
        } catch (Throwable t) {
            failed(connection, t); // the handler factory failed
        } finally {
            SERVING.remove();
            try {
                connection.close();
            } finally {
                forget(connection);
            }
        }
    }

    /** Counts a handler's failure once per connection. */
    private void failed(ChannelConnection connection, Throwable t) {
        if (connection.markFailed()) {
            count(connection, connection.closeReason(), connection.peerAddress(), t);
        }
    }

    /** Called when a non-blocking connection has closed, with what ended it, if anything. */
    @Override
    public void ended(LiveConnection transport, SocketAddress peer, CloseReason reason, Throwable cause) {
        try {
            if (cause != null || reason == CloseReason.TIMEOUT) {
                count(transport, reason, peer, cause);
            }
        } finally {
            forget(transport);
        }
    }

    /** Counts a connection's end by its cause: its timeout, the shutdown (not counted), or an error. */
    private void count(LiveConnection connection, CloseReason reason, SocketAddress peer, Throwable t) {
        // An if-chain rather than a switch on the enum, whose lookup class javac generates and
        // the JVM loads on first use: that first use may come when no descriptor is left.
        if (reason == CloseReason.TIMEOUT) {
            counters.timedOut.increment();
            log.debug(() -> name + ": " + connection + " timed out");
        } else if (reason == CloseReason.NONE) {
            counters.errors.increment();
            reportError(peer, t);
        }
    }

    /** Runs the error hook; a hook that throws is logged, never allowed to end the calling thread's work. */
    private void reportError(SocketAddress peer, Throwable t) {
        try {
            onError.accept(peer, t);
        } catch (Throwable hookFailure) {
            log.failure(name + ": the error hook threw", hookFailure);
            rethrowIfFatal(hookFailure);
        }
    }

    private void logFailure(SocketAddress peer, Throwable t) {
        String who = peer == null ? name : name + ": connection from " + peer;
        if (t instanceof FramingException || t instanceof IOException) {
            log.failure(who + " closed: " + ServerLog.describe(t), null);
        } else {
            log.failure(who + " failed in its handler", t);
        }
    }

    private static void rethrowIfFatal(Throwable t) {
        if (t instanceof VirtualMachineError fatal && !(t instanceof OutOfMemoryError)) {
            throw fatal;
        }
    }

    private void forget(LiveConnection connection) {
        if (live.remove(connection.id()) == null) {
            return;
        }
        counters.active.decrement();
        if (permits != null) {
            permits.release();
        }
        if (state == State.SHUTTING_DOWN) {
            stateLock.lock();
            try {
                changed.signalAll();
            } finally {
                stateLock.unlock();
            }
        }
    }

    private void runServiceActions() {
        if (serviceActions == null) {
            return;
        }
        try {
            serviceActions.run();
        } catch (RuntimeException e) {
            reportError(null, e);
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
        closeListener();
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
        dispatcher.shutdown();
        LiveConnection own = SERVING.get();
        if (own != null && live.get(own.id()) != own) {
            own = null; // the caller serves another server's connection
        }
        boolean finished = awaitConnections(own, deadline);
        if (!finished) {
            for (LiveConnection connection : live.values()) {
                if (connection != own) {
                    connection.closeFor(CloseReason.SHUTDOWN);
                }
            }
            awaitConnections(own, Deadline.afterNanos(FORCED_CLOSE_WAIT_NANOS));
        }
        awaitAcceptingThread(Deadline.afterNanos(FORCED_CLOSE_WAIT_NANOS));
        stopLoops();
        log.flushSuppressed(name);
        stateLock.lock();
        try {
            state = State.CLOSED;
            changed.signalAll();
        } finally {
            stateLock.unlock();
        }
        return finished;
    }

    /** Shuts down with the builder's {@link Builder#shutdownGrace(Duration) shutdown grace}. */
    @Override
    public void close() {
        shutdown(shutdownGrace);
    }

    /**
     * Closes the listening socket from any thread, the accepting one included: a selector may be
     * closed while another thread selects on it (that select returns), and closing it is what
     * deregisters the listener and so releases its port.
     */
    private void closeListener() {
        if (!listenerClosed.compareAndSet(false, true)) {
            return;
        }
        if (asyncListener != null) {
            closeQuietly(asyncListener);
            stateLock.lock();
            try {
                changed.signalAll(); // serveForever waits for this under ASYNC
            } finally {
                stateLock.unlock();
            }
        } else {
            closeQuietly(listener);
            try {
                selector.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
        if (unixSocketFile != null) {
            try {
                Files.deleteIfExists(unixSocketFile);
            } catch (IOException e) {
                log.log(System.Logger.Level.WARNING, name + ": could not remove " + unixSocketFile + ": " + e, null);
            }
        }
    }

    private void stopLoops() {
        if (asyncGroup != null) {
            try {
                asyncGroup.shutdownNow();
                asyncGroup.awaitTermination(FORCED_CLOSE_WAIT_NANOS, TimeUnit.NANOSECONDS);
            } catch (IOException e) {
                log.log(System.Logger.Level.WARNING, name + ": closing the async channel group failed: " + e, null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            if (!EventLoop.stopAll(loops, Deadline.afterNanos(FORCED_CLOSE_WAIT_NANOS))) {
                log.log(System.Logger.Level.WARNING, name + ": an event loop did not stop within 1 s", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean awaitConnections(LiveConnection own, Deadline deadline) {
        stateLock.lock();
        try {
            while (!(live.isEmpty() || (live.size() == 1 && own != null && live.containsKey(own.id())))) {
                if (!deadline.await(changed)) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            stateLock.unlock();
        }
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
        return localAddress;
    }

    /** The bound TCP port, or -1 for a Unix-domain server. */
    public int port() {
        return localAddress instanceof InetSocketAddress inet ? inet.getPort() : -1;
    }

    /** A snapshot of the live counters. */
    public ServerStats stats() {
        return counters.snapshot(inputBudget.used());
    }

    /** The budget for buffered input, for tests. */
    InputBudget inputBudget() {
        return inputBudget;
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
        return name + " on " + localAddress + " (" + model + ", " + state + ")";
    }

    private static SocketAddress peerOf(SocketChannel channel) {
        try {
            return channel.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    private static void closeQuietly(java.nio.channels.Channel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing an accepted or listening socket fails only when it is already gone
        }
    }

    /**
     * Configures and opens a {@link StreamServer}. Every setting has a default; only a handler is
     * required. A builder may open several servers; each gets a copy of the settings.
     */
    public static final class Builder {
        private SocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        private int backlog = 1024;
        private boolean reuseAddress = true;
        private boolean reusePort;
        private Supplier<? extends ConnectionHandler> handlers;
        private Supplier<? extends Protocol> protocols;
        private Model model = Model.VIRTUAL;
        private int maxConnections = Integer.MAX_VALUE;
        private Duration shutdownGrace = Duration.ofSeconds(5);
        private Duration pollInterval = Duration.ofMillis(500);
        private Predicate<? super SocketAddress> verify;
        private BiConsumer<? super SocketAddress, ? super Throwable> onError;
        private Runnable onTimeout;
        private Runnable serviceActions;
        private String name;
        private long inputBudget; // 0: the default, computed when the server opens
        private final ConnectionSettings settings = new ConnectionSettings();

        private Builder() {
            settings.option(StandardSocketOptions.TCP_NODELAY, true);
        }

        /**
         * Where to listen: an {@link InetSocketAddress} (port 0: any free port; an unresolved one
         * is resolved by {@link #open()}) or a {@link UnixDomainSocketAddress}. Default 127.0.0.1:0.
         */
        public Builder bind(SocketAddress address) {
            this.address = Objects.requireNonNull(address, "address");
            return this;
        }

        /** Listen on {@code host}:{@code port}; port 0 lets the system choose ({@link StreamServer#localAddress()} tells). */
        public Builder bind(String host, int port) {
            return bind(new InetSocketAddress(host, port));
        }

        /** Listen on a Unix-domain socket file; a stale file left by a dead server is replaced. */
        public Builder bindUnix(Path path) {
            return bind(UnixDomainSocketAddress.of(path));
        }

        /** The listen backlog: connections the kernel queues before they are accepted. Default 1024. */
        public Builder backlog(int backlog) {
            if (backlog < 1) {
                throw new IllegalArgumentException("backlog must be positive, got " + backlog);
            }
            this.backlog = backlog;
            return this;
        }

        /** SO_REUSEADDR: rebind at once after a restart, past TIME_WAIT. Default on. */
        public Builder reuseAddress(boolean on) {
            this.reuseAddress = on;
            return this;
        }

        /** SO_REUSEPORT: several processes bind the same port and the kernel spreads connections. Default off. */
        public Builder reusePort(boolean on) {
            this.reusePort = on;
            return this;
        }

        /** One handler shared by every connection; see {@link ConnectionHandler} on sharing. Replaces a protocol. */
        public Builder handler(ConnectionHandler handler) {
            Objects.requireNonNull(handler, "handler");
            this.handlers = () -> handler;
            this.protocols = null;
            return this;
        }

        /**
         * A {@link Protocol} per connection, made by {@code factory}: runs under every model, the
         * blocking ones through an adapter that reads for it. Replaces a handler.
         */
        public Builder protocol(Supplier<? extends Protocol> factory) {
            this.protocols = Objects.requireNonNull(factory, "factory");
            ProtocolHandler adapter = new ProtocolHandler(factory);
            this.handlers = () -> adapter;
            return this;
        }

        /** A new handler per connection, as socketserver instantiates its handler class per request. */
        public Builder handlerFactory(Supplier<? extends ConnectionHandler> factory) {
            this.handlers = Objects.requireNonNull(factory, "factory");
            this.protocols = null;
            return this;
        }

        /** The concurrency model. Default {@link Model#VIRTUAL}. */
        public Builder model(Model model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /** At most this many open connections; the excess is refused. Default unlimited. */
        public Builder maxConnections(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConnections must be positive, got " + max);
            }
            this.maxConnections = max;
            return this;
        }

        /**
         * Closes a connection whose read or write makes no progress for this long, so slow or
         * silent clients cannot hold slots; it becomes each connection's read and write timeout.
         * Default {@link Duration#ZERO}: none. A setting, not a wait: zero means none, and a negative
         * value is refused.
         *
         * @throws IllegalArgumentException when {@code timeout} is negative
         */
        public Builder idleTimeout(Duration timeout) {
            ConnectionSettings.checkTimeout(timeout, "idle timeout");
            settings.readTimeout = timeout;
            settings.writeTimeout = timeout;
            return this;
        }

        /**
         * How long {@link StreamServer#close()} lets handlers finish, the grace it gives
         * {@link StreamServer#shutdown(Duration)}. A setting, not a wait: zero means none (close then
         * closes their connections at once), and a negative value is refused. Default 5 s.
         *
         * @throws IllegalArgumentException when {@code grace} is negative
         */
        public Builder shutdownGrace(Duration grace) {
            this.shutdownGrace = ConnectionSettings.checkTimeout(grace, "shutdown grace");
            return this;
        }

        /** The framing for {@link Connection#readFrame()} and {@link Connection#sendFrame(byte[])}. Default raw, 64 KiB reads. */
        public Builder framing(Framing framing) {
            settings.framing = Objects.requireNonNull(framing, "framing");
            return this;
        }

        /**
         * A socket option for every accepted connection, such as {@code SO_RCVBUF},
         * {@code SO_SNDBUF} or {@code SO_KEEPALIVE}; options the transport lacks are skipped.
         * {@code TCP_NODELAY} is on by default.
         */
        public <T> Builder option(SocketOption<T> name, T value) {
            settings.option(name, value);
            return this;
        }

        /** The verify hook ({@code verify_request}): return false to refuse a peer before any handler runs. */
        public Builder verifyRequest(Predicate<? super SocketAddress> verify) {
            this.verify = Objects.requireNonNull(verify, "verify");
            return this;
        }

        /**
         * The error hook ({@code handle_error}): called with the peer and the exception when a
         * connection fails, and with a {@code null} peer when accepting fails. Default: a log line.
         */
        public Builder onError(BiConsumer<? super SocketAddress, ? super Throwable> onError) {
            this.onError = Objects.requireNonNull(onError, "onError");
            return this;
        }

        /** The timeout hook ({@code handle_timeout}): runs when {@link StreamServer#handleRequest(Duration)} times out. */
        public Builder onTimeout(Runnable onTimeout) {
            this.onTimeout = Objects.requireNonNull(onTimeout, "onTimeout");
            return this;
        }

        /** The service-actions hook ({@code service_actions}): runs on the accepting thread about every poll interval. */
        public Builder serviceActions(Runnable actions) {
            this.serviceActions = Objects.requireNonNull(actions, "actions");
            return this;
        }

        /**
         * How often {@link StreamServer#serveForever()} runs the service actions. A period, not a
         * wait: it must be positive. Default 500 ms.
         *
         * @throws IllegalArgumentException when {@code interval} is zero or negative
         */
        public Builder pollInterval(Duration interval) {
            if (interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException("poll interval must be positive, got " + interval);
            }
            this.pollInterval = interval;
            return this;
        }

        /**
         * The most input the server buffers for frames not yet complete, across all its
         * connections: what frame decoders hold for {@link FramingProtocol}s under every model,
         * and for {@link Connection#readFrame()}, {@link Connection#readLine()} and
         * {@link Connection#read(dev.spindle.codec.FrameDecoder)} under the blocking models. A
         * connection whose unfinished frame would take the total past it is closed with
         * {@link InputBudgetExceededException}, logged and counted as its error; the others go on.
         * However a connection ends (close, error, timeout, shutdown), its whole share returns to
         * the budget. {@link ServerStats#bufferedInput()} tells what is held now.
         *
         * <p>Default: a quarter of the maximum heap, {@code Runtime.getRuntime().maxMemory() / 4}.
         * A decoder's array grows by doubling, so it may be up to twice the bytes it holds: a
         * budget of half the heap could fill it.
         *
         * <h4>Pitfalls</h4>
         * The total charged never passes the budget, but memory may, by at most one read per
         * connection (up to 64 KiB): a decoder has copied a read's bytes when the budget learns of
         * them. A frame, once complete, is the handler's and leaves the budget. Buffers a
         * connection has whatever it is sent (a blocking connection's 16 KiB read buffer, up to
         * 64 KiB a decoder keeps for reuse, a transport's write buffer) are not charged: bound
         * those with {@link #maxConnections(int)} and the write buffer's water marks. A
         * {@link Protocol} that buffers input itself is not charged either.
         *
         * @throws IllegalArgumentException unless {@code bytes} is positive
         */
        public Builder inputBudget(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("inputBudget must be positive, got " + bytes
                        + "; it is the most input, in bytes, the server buffers for unfinished frames");
            }
            this.inputBudget = bytes;
            return this;
        }

        /** The server's name, used for its threads and log lines. Default {@code spindle-N}. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Binds and listens. Connections wait in the backlog until the server is started.
         *
         * @throws IllegalStateException when no handler was given
         * @throws BindException when the server cannot listen there (the address is in use or not
         *     local, a Unix socket's directory is missing); the message names the address and what to do
         * @throws java.net.UnknownHostException when the host name does not resolve
         * @throws IOException when the socket cannot be opened
         */
        public StreamServer open() throws IOException {
            if (handlers == null) {
                throw new IllegalStateException("no handler: call handler(...), handlerFactory(...) or protocol(...) before open()");
            }
            if (model.nonBlocking() && protocols == null) {
                throw new IllegalStateException("the " + model + " model runs a Protocol, not a blocking "
                        + "ConnectionHandler: give protocol(...), or choose a blocking model");
            }
            SocketAddress address = this.address;
            if (address instanceof InetSocketAddress inet && inet.isUnresolved()) {
                address = new InetSocketAddress(InetAddress.getByName(inet.getHostString()), inet.getPort());
            }
            boolean unix = address instanceof UnixDomainSocketAddress;
            if (model.kind() == Model.Kind.ASYNC) {
                return openAsync(address, unix);
            }
            ServerSocketChannel channel = unix
                    ? ServerSocketChannel.open(StandardProtocolFamily.UNIX) : ServerSocketChannel.open();
            Selector selector = null;
            try {
                if (unix) {
                    if (reuseAddress) {
                        removeStaleSocketFile(((UnixDomainSocketAddress) address).getPath());
                    }
                } else {
                    channel.setOption(StandardSocketOptions.SO_REUSEADDR, reuseAddress);
                    if (reusePort) {
                        if (!channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                            throw new UnsupportedOperationException("SO_REUSEPORT is not supported on this platform");
                        }
                        channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                    }
                }
                try {
                    channel.bind(address, backlog);
                } catch (IOException e) {
                    throw BindFailure.explain(address, e);
                }
                channel.configureBlocking(false);
                selector = Selector.open();
                channel.register(selector, SelectionKey.OP_ACCEPT);
                return new StreamServer(this, channel, selector, null, null);
            } catch (IOException | RuntimeException e) {
                closeQuietly(channel);
                if (selector != null) {
                    selector.close();
                }
                throw e;
            }
        }

        private StreamServer openAsync(SocketAddress address, boolean unix) throws IOException {
            if (unix) {
                throw new IllegalArgumentException("the async model serves TCP only: the JDK has no asynchronous "
                        + "Unix-domain channel; choose the event-loop model for " + address);
            }
            java.nio.channels.AsynchronousChannelGroup group = java.nio.channels.AsynchronousChannelGroup
                    .withFixedThreadPool(model.threads(),
                            Thread.ofPlatform().name((name != null ? name : "spindle") + "-async-", 1).daemon(true).factory());
            AsynchronousServerSocketChannel channel = AsynchronousServerSocketChannel.open(group);
            try {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, reuseAddress);
                if (reusePort) {
                    channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                }
                try {
                    channel.bind(address, backlog);
                } catch (IOException e) {
                    throw BindFailure.explain(address, e);
                }
                return new StreamServer(this, null, null, channel, group);
            } catch (IOException | RuntimeException e) {
                closeQuietly(channel);
                group.shutdownNow();
                throw e;
            }
        }

        /**
         * A socket file nobody listens on is what a crashed server leaves; replace it, as
         * SO_REUSEADDR does for TCP. A live server's socket, or any other kind of file, stays.
         */
        private static void removeStaleSocketFile(Path path) throws IOException {
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException absent) {
                return;
            }
            if (!attributes.isOther()) {
                return;
            }
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                // someone is listening: leave it, and let bind report the address in use
            } catch (IOException refused) {
                Files.deleteIfExists(path);
            }
        }
    }
}
