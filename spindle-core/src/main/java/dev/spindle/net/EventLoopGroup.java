package dev.spindle.net;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Selector loops for the client side: connect many {@link Protocol}s and let a few threads drive
 * them all, as the event-loop server does. {@code spindle load} is built on it.
 *
 * <pre>{@code
 * try (EventLoopGroup loops = EventLoopGroup.open(2, "load")) {
 *     Transport t = loops.connect(new InetSocketAddress("127.0.0.1", 9999), new MyProtocol());
 *     ...
 * }
 * }</pre>
 *
 * <p>Thread-safe. Connections are spread over the loops in turn. Closing the group aborts every
 * connection still open (each protocol's {@code connectionLost} runs) and stops the loops.
 */
public final class EventLoopGroup implements AutoCloseable {

    private final EventLoop[] loops;
    private final ServerCounters counters = new ServerCounters();
    private final AtomicLong numbers = new AtomicLong();
    private final ConnectionSettings settings = new ConnectionSettings();
    private final TransportOwner owner = (transport, peer, reason, cause) -> counters.active.decrement();

    private EventLoopGroup(int size, String name) throws IOException {
        loops = EventLoop.startAll(name, size, counters);
    }

    /**
     * Starts {@code size} loops whose threads are named {@code <name>-loop-<n>}.
     *
     * @throws IllegalArgumentException when {@code size < 1}
     */
    public static EventLoopGroup open(int size, String name) throws IOException {
        if (size < 1) {
            throw new IllegalArgumentException("a group needs at least one loop, got " + size);
        }
        return new EventLoopGroup(size, Objects.requireNonNull(name, "name"));
    }

    /**
     * Connects to {@code address} (blocking until connected) and hands the connection to a loop,
     * where {@code protocol.connectionMade} runs next.
     *
     * @return the connection's transport
     * @throws IOException when the connection cannot be made
     */
    public Transport connect(SocketAddress address, Protocol protocol) throws IOException {
        return connect(address, null, protocol);
    }

    /**
     * As {@link #connect(SocketAddress, Protocol)}, from the local address {@code from} (such as
     * 127.0.0.2, to spread many connections over more source addresses than one's ephemeral ports).
     */
    public Transport connect(SocketAddress address, InetSocketAddress from, Protocol protocol) throws IOException {
        return connect(address, from, protocol, Deadline.NONE);
    }

    /**
     * As {@link #connect(SocketAddress, Protocol)}, waiting at most {@code timeout} for the
     * connection. Zero or negative means do not wait (as {@link java.util.concurrent.Semaphore#tryAcquire(long,
     * java.util.concurrent.TimeUnit) Semaphore.tryAcquire}), never wait forever: one attempt, which
     * succeeds only if the connection is made at once (see {@link Client}).
     *
     * @throws java.net.SocketTimeoutException when the connection was not made in time
     * @throws IOException when the connection cannot be made
     */
    public Transport connect(SocketAddress address, Protocol protocol, Duration timeout) throws IOException {
        return connect(address, null, protocol, Deadline.after(timeout));
    }

    /**
     * As {@link #connect(SocketAddress, InetSocketAddress, Protocol)}, waiting at most
     * {@code timeout} as {@link #connect(SocketAddress, Protocol, Duration)} does.
     */
    public Transport connect(SocketAddress address, InetSocketAddress from, Protocol protocol, Duration timeout)
            throws IOException {
        return connect(address, from, protocol, Deadline.after(timeout));
    }

    private Transport connect(SocketAddress address, InetSocketAddress from, Protocol protocol, Deadline deadline)
            throws IOException {
        Objects.requireNonNull(protocol, "protocol");
        SocketChannel channel = Dialer.connect(address, deadline, c -> {
            settings.applyOptions(c);
            if (from != null) {
                c.bind(from);
            }
        });
        try {
            channel.configureBlocking(false);
            long number = numbers.incrementAndGet();
            EventLoop loop = loops[(int) (number % loops.length)];
            NioTransport transport = new NioTransport(number, channel, loop, protocol, owner, InputBudget.NONE, counters,
                    Duration.ZERO);
            counters.active.increment();
            loop.execute(transport::start);
            return transport;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * A socket option for connections made after this call; options the transport lacks are
     * skipped. Set options before connecting: this method is not safe to call while another
     * thread connects.
     */
    public <T> EventLoopGroup option(SocketOption<T> name, T value) {
        settings.option(name, value);
        return this;
    }

    /** Bytes read and written by all connections of the group, and how many are open. */
    public ServerStats stats() {
        return counters.snapshot(0); // client connections are not budgeted
    }

    /** How many loops the group has. */
    public int size() {
        return loops.length;
    }

    /** The loops, for servers that run on them ({@link Model#eventLoop(EventLoopGroup)}). */
    EventLoop[] loops() {
        return loops;
    }

    /** The loops' threads, for measuring their CPU time. */
    public java.util.List<Thread> threads() {
        java.util.List<Thread> threads = new java.util.ArrayList<>();
        for (EventLoop loop : loops) {
            threads.add(loop.thread());
        }
        return threads;
    }

    /** Aborts every open connection and stops the loops, waiting up to a second for them. */
    @Override
    public void close() {
        try {
            EventLoop.stopAll(loops, Deadline.afterNanos(java.util.concurrent.TimeUnit.SECONDS.toNanos(1)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
