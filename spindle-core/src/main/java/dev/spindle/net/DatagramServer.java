package dev.spindle.net;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * A datagram server over UDP (IPv4 or IPv6) or a Unix-domain datagram socket: Python's
 * {@code socketserver.UDPServer}, {@code ThreadingUDPServer} and {@code UnixDatagramServer}. Each
 * datagram goes to a {@link DatagramHandler}, which may {@linkplain Datagram#reply(byte[]) reply}
 * to its sender.
 *
 * <pre>{@code
 * try (DatagramServer server = DatagramServer.builder()
 *         .bind("127.0.0.1", 9999)
 *         .model(Model.VIRTUAL)
 *         .handler(datagram -> datagram.reply(datagram.data()))   // echo
 *         .open()) {
 *     server.serveForever();
 * }
 * }</pre>
 *
 * <table>
 *   <caption>The models</caption>
 *   <tr><th>model</th><th>each datagram is handled on</th></tr>
 *   <tr><td>{@link Model#SYNC}</td><td>the receiving thread, one at a time ({@code UDPServer})</td></tr>
 *   <tr><td>{@link Model#THREAD}</td><td>a new platform thread ({@code ThreadingUDPServer})</td></tr>
 *   <tr><td>{@link Model#pool(int, int)}</td><td>one of n threads; up to the queue's capacity wait,
 *       and beyond that the {@link WhenFull} policy holds the receiver back (WAIT: the kernel's
 *       receive buffer holds them, and drops what it cannot) or drops and counts them (REFUSE)</td></tr>
 *   <tr><td>{@link Model#VIRTUAL}</td><td>a new virtual thread</td></tr>
 *   <tr><td>{@link Model#eventLoop(int)}</td><td>the receiving thread of one of n sockets bound to
 *       the same UDP port with {@code SO_REUSEPORT}, which the kernel spreads senders over (one
 *       socket for a Unix-domain address); the handler must not block</td></tr>
 * </table>
 * {@link Model#ASYNC} has no datagram form: the JDK has no asynchronous datagram channel.
 *
 * <h2>Lifecycle</h2>
 * {@link State#OPEN} once bound (datagrams wait in the socket's receive buffer);
 * {@link State#SERVING} after {@link #start()} or in {@link #serveForever()};
 * {@link State#SHUTTING_DOWN} while {@link #shutdown(Duration)} lets running handlers finish (their
 * replies still go out); {@link State#CLOSED} when the sockets are closed and a Unix socket file is
 * removed.
 *
 * <h2>Hygiene</h2>
 * A handler that throws, a reply that cannot be sent, and a datagram longer than
 * {@link DatagramServerBuilder#maxDatagramSize(int)} are counted in {@link #stats()} and reported
 * to the error hook (or logged, rate-limited); the server goes on receiving. Thread-safe.
 */
public final class DatagramServer implements AutoCloseable {

    /** The lifecycle states, in order. */
    public enum State { OPEN, SERVING, SHUTTING_DOWN, CLOSED }

    private static final AtomicInteger NUMBERS = new AtomicInteger();
    private static final long FORCED_STOP_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String name;
    private final Model model;
    private final DatagramHandler handler;
    private final Dispatcher dispatcher;
    private final WhenFull whenFull;
    private final InFlight inFlight;
    private final List<DatagramReceiver> receivers;
    private final SocketAddress localAddress;
    /** The socket file to remove at close; null for UDP. */
    private final Path unixSocketFile;
    private final Duration shutdownGrace;
    private final DatagramCounters counters = new DatagramCounters();
    private final ServerLog log = new ServerLog();
    private final BiConsumer<? super SocketAddress, ? super Throwable> onError;
    private final ReentrantLock stateLock = new ReentrantLock();
    private final Condition closed = stateLock.newCondition();
    private volatile State state = State.OPEN;

    DatagramServer(DatagramServerBuilder.Opened opened) throws IOException {
        this.name = opened.name();
        this.model = opened.model();
        this.dispatcher = model.datagramDispatcher(name); // first: the model may have no datagram form
        this.handler = opened.handler();
        this.whenFull = opened.whenFull();
        this.inFlight = new InFlight(opened.maxInFlight());
        this.shutdownGrace = opened.shutdownGrace();
        this.onError = opened.onError();
        this.localAddress = opened.channels().getFirst().getLocalAddress();
        this.unixSocketFile = opened.unixSocketFile();
        List<DatagramReceiver> made = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < opened.channels().size(); i++) {
                made.add(new DatagramReceiver(this, opened.channels().get(i), opened.maxDatagramSize(),
                        name + "-recv-" + (i + 1)));
            }
        } catch (IOException | RuntimeException e) {
            made.forEach(DatagramReceiver::close);
            throw e;
        }
        this.receivers = List.copyOf(made);
    }

    /** A builder with the defaults: 127.0.0.1, an ephemeral port, {@link Model#VIRTUAL}, datagrams up to 64 KiB. */
    public static DatagramServerBuilder builder() {
        return new DatagramServerBuilder();
    }

    static String nextName() {
        return "spindle-udp-" + NUMBERS.incrementAndGet();
    }

    // ---- serving ----

    /**
     * Starts receiving on threads named {@code <name>-recv-<n>} and returns.
     *
     * @throws IllegalStateException when the server is serving already or shut down
     */
    public void start() {
        stateLock.lock();
        try {
            if (state != State.OPEN) {
                throw new IllegalStateException(name + " is " + state
                        + (state == State.SERVING ? "" : "; open a new server"));
            }
            state = State.SERVING;
        } finally {
            stateLock.unlock();
        }
        receivers.forEach(DatagramReceiver::start);
    }

    /**
     * Starts receiving and waits, on the calling thread, until the server is shut down from
     * another thread (or a handler).
     *
     * @throws IllegalStateException when the server is serving already or shut down
     */
    public void serveForever() {
        start();
        stateLock.lock();
        try {
            while (state != State.CLOSED) {
                closed.awaitUninterruptibly();
            }
        } finally {
            stateLock.unlock();
        }
    }

    /** A receiver has a datagram: hands it to the handler under the model, or drops it when full. */
    void received(Datagram datagram) {
        counters.received.increment();
        counters.bytesIn.add(datagram.data().length);
        if (!inFlight.enter(whenFull == WhenFull.WAIT)) {
            counters.dropped.increment();
            log.debug(() -> name + ": dropped " + datagram + ": every handler slot is taken (" + model + ")");
            return;
        }
        try {
            dispatcher.dispatch(() -> handle(datagram));
        } catch (RejectedExecutionException e) {
            inFlight.exit();
            counters.dropped.increment();
        }
    }

    private void handle(Datagram datagram) {
        try {
            handler.handle(datagram);
        } catch (Throwable t) {
            failed(datagram.sender(), t);
            ServerErrors.rethrowIfFatal(t);
        } finally {
            inFlight.exit();
        }
    }

    void truncated(SocketAddress sender, int limit) {
        counters.truncated.increment();
        report(sender, new DatagramTruncatedException(sender, limit));
    }

    void replied(int bytes) {
        counters.sent.increment();
        counters.bytesOut.add(bytes);
    }

    void replyFailed(SocketAddress to, IOException e) {
        counters.errors.increment();
        log.debug(() -> name + ": a reply to " + to + " failed: " + e);
    }

    /** Counts and reports a failure: a handler's, or the socket's. */
    void failed(SocketAddress peer, Throwable t) {
        counters.errors.increment();
        report(peer, t);
    }

    private void report(SocketAddress peer, Throwable t) {
        try {
            if (onError != null) {
                onError.accept(peer, t);
            } else if (t instanceof IOException) {
                log.failure(name + ": datagram from " + peer + ": " + ServerLog.describe(t), null);
            } else {
                log.failure(name + ": the handler failed on a datagram from " + peer, t);
            }
        } catch (Throwable hookFailure) {
            log.failure(name + ": the error hook threw", hookFailure);
            ServerErrors.rethrowIfFatal(hookFailure);
        }
    }

    // ---- shutting down ----

    /**
     * Stops receiving, lets running and queued handlers finish (their replies still go out) until
     * {@code grace} has passed, then closes the sockets and removes a Unix socket file. Zero or
     * negative means do not wait: the sockets close at once, and a handler still running finds
     * its reply refused. Idempotent.
     *
     * @return whether every handler finished within the grace
     */
    public boolean shutdown(Duration grace) {
        Deadline deadline = Deadline.after(grace);
        stateLock.lock();
        try {
            if (state == State.CLOSED) {
                return true;
            }
            state = State.SHUTTING_DOWN;
        } finally {
            stateLock.unlock();
        }
        receivers.forEach(DatagramReceiver::stopReceiving);
        inFlight.stop();
        Deadline receiversStop = Deadline.afterNanos(FORCED_STOP_WAIT_NANOS);
        for (DatagramReceiver receiver : receivers) {
            if (receiver.thread().isAlive() && receiver.thread() != Thread.currentThread()) {
                try {
                    receiversStop.join(receiver.thread());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        dispatcher.shutdown();
        boolean finished = inFlight.awaitNone(deadline);
        receivers.forEach(DatagramReceiver::close);
        if (unixSocketFile != null) {
            try {
                Files.deleteIfExists(unixSocketFile);
            } catch (IOException e) {
                log.log(System.Logger.Level.WARNING, name + ": could not remove " + unixSocketFile + ": " + e, null);
            }
        }
        log.flushSuppressed(name);
        stateLock.lock();
        try {
            state = State.CLOSED;
            closed.signalAll();
        } finally {
            stateLock.unlock();
        }
        return finished;
    }

    /** Shuts down with the builder's {@link DatagramServerBuilder#shutdownGrace(Duration) grace}. */
    @Override
    public void close() {
        shutdown(shutdownGrace);
    }

    // ---- inspection ----

    /** The address the server is bound to; with port 0, the port the system chose. */
    public SocketAddress localAddress() {
        return localAddress;
    }

    /** The bound UDP port, or -1 for a Unix-domain server. */
    public int port() {
        // junixsocket's addresses are InetSocketAddresses too, with a made-up port.
        return unixSocketFile == null && localAddress instanceof InetSocketAddress inet ? inet.getPort() : -1;
    }

    /** A snapshot of the counters. */
    public DatagramStats stats() {
        return counters.snapshot(inFlight.count());
    }

    public State state() {
        return state;
    }

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
}
