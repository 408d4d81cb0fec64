package dev.spindle.net;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Opens a connected, blocking {@link SocketChannel} within a {@link Deadline}: the one connect that
 * {@link Client} and {@link EventLoopGroup} share. An expired deadline makes one attempt that does
 * not wait.
 *
 * <p>A TCP connect waits in the kernel for the peer's answer, bounded by the deadline. A
 * Unix-domain connect completes at once unless the listener's backlog is full; then a blocking
 * connect waits for room with no bound of the JDK's, so it is closed when the deadline passes.
 */
final class Dialer {

    /** What to do to the channel before it connects: options, a local address. */
    interface Setup {
        void apply(SocketChannel channel) throws IOException;
    }

    private Dialer() {
    }

    /**
     * A channel connected to {@code address}, in blocking mode.
     *
     * @throws SocketTimeoutException when the deadline passed first (for an expired deadline: when
     *         a TCP connection could not be made at once)
     * @throws IOException when the connection cannot be made; the channel is closed
     */
    static SocketChannel connect(SocketAddress address, Deadline deadline, Setup setup) throws IOException {
        boolean unix = address instanceof UnixDomainSocketAddress;
        SocketChannel channel = unix ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        try {
            setup.apply(channel);
            if (deadline.isNone()) {
                channel.connect(address);
            } else if (!unix) {
                connectTcp(channel, address, deadline);
            } else if (!connectAtOnce(channel, address, deadline)) {
                // The listener's backlog was full, and a failed connect closes its channel: a new one waits.
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                setup.apply(channel);
                connectUnixWithin(channel, address, deadline);
            }
            return channel;
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static void connectTcp(SocketChannel channel, SocketAddress address, Deadline deadline)
            throws IOException {
        if (!deadline.hasExpired()) {
            channel.socket().connect(address, (int) Math.min(Integer.MAX_VALUE, deadline.selectMillis()));
            return;
        }
        channel.configureBlocking(false);
        if (!channel.connect(address) && !channel.finishConnect()) {
            throw new SocketTimeoutException("the connection was not made at once, and a timeout of zero or "
                    + "less does not wait");
        }
        channel.configureBlocking(true);
    }

    /**
     * One Unix-domain connect that does not wait.
     *
     * @return false when it failed in a way a blocking connect may not (the backlog was full), and
     *         there is time left to wait; the channel is then closed
     */
    private static boolean connectAtOnce(SocketChannel channel, SocketAddress address, Deadline deadline)
            throws IOException {
        channel.configureBlocking(false);
        try {
            if (!channel.connect(address) && !channel.finishConnect()) {
                throw new SocketTimeoutException("the connection was not made at once, and a timeout of zero or "
                        + "less does not wait");
            }
        } catch (ConnectException e) {
            throw e; // refused: nothing listens there
        } catch (SocketException e) {
            // A full backlog (EAGAIN) cannot be told from the system's other refusals but by its
            // message; a blocking connect meets those again at once, and waits out only a full backlog.
            if (deadline.hasExpired()) {
                throw e;
            }
            return false;
        }
        channel.configureBlocking(true);
        return true;
    }

    private static void connectUnixWithin(SocketChannel channel, SocketAddress address, Deadline deadline)
            throws IOException {
        AtomicBoolean settled = new AtomicBoolean();
        ScheduledFuture<?> alarm = Alarms.EXECUTOR.schedule(() -> {
            if (settled.compareAndSet(false, true)) {
                closeQuietly(channel);
            }
        }, Math.max(0, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
        try {
            channel.connect(address);
        } catch (AsynchronousCloseException e) {
            if (settled.compareAndSet(false, true)) {
                throw e; // closed, or interrupted, by someone else
            }
            throw timedOut(e);
        } finally {
            alarm.cancel(false);
        }
        if (!settled.compareAndSet(false, true)) {
            throw timedOut(null); // connected just as the alarm closed it
        }
    }

    private static SocketTimeoutException timedOut(Throwable cause) {
        SocketTimeoutException e = new SocketTimeoutException("the listener's backlog stayed full until the timeout");
        e.initCause(cause);
        return e;
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // a socket that failed to connect has nothing to flush
        }
    }

    /** The one thread that closes Unix-domain connects past their deadline; made on first need, gone when idle. */
    private static final class Alarms {
        static final ScheduledThreadPoolExecutor EXECUTOR = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("spindle-connect-timeouts").daemon().factory());

        static {
            EXECUTOR.setRemoveOnCancelPolicy(true);
            EXECUTOR.setKeepAliveTime(10, TimeUnit.SECONDS);
            EXECUTOR.allowCoreThreadTimeOut(true);
        }
    }
}
