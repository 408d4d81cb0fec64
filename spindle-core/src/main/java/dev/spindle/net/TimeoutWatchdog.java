package dev.spindle.net;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Enforces read and write timeouts on blocking channels, which the JDK does not do for
 * {@link java.nio.channels.SocketChannel} (and cannot do at all for writes or Unix-domain sockets),
 * and the idle timeout of asynchronous connections, whose per-operation timeouts would close a
 * connection busy in the other direction.
 *
 * <p>One daemon thread scans the connections that have a timeout set and closes any whose current
 * blocking call has passed its deadline; the blocked call then fails and the connection turns the
 * failure into a {@link java.net.SocketTimeoutException}. A scan is one volatile read per
 * connection, so a per-call deadline costs a field write instead of a timer task per read. The
 * scan period follows the shortest timeout watched (an eighth of it, between 5 ms and 250 ms), so
 * a timeout fires at most about an eighth late; with nothing watched the thread parks.
 */
final class TimeoutWatchdog implements Runnable {

    /** A connection with a deadline the watchdog checks: a blocking call's, or an idle timeout's. */
    interface Timed {
        /** Closes the connection, as timed out, when its deadline has passed at {@code now}. */
        void expireIfDue(long now);

        /** The shortest timeout it has, in nanoseconds; {@link Long#MAX_VALUE} for none. */
        long shortestTimeoutNanos();
    }

    static final TimeoutWatchdog INSTANCE = new TimeoutWatchdog();

    private static final long MIN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long MAX_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final Set<Timed> watched = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile long tickNanos = MAX_TICK_NANOS;

    private TimeoutWatchdog() {
        thread = Thread.ofPlatform().name("spindle-timeouts").daemon(true).unstarted(this);
        thread.start();
    }

    /** Starts watching {@code connection}, whose shortest timeout is {@code timeoutNanos}. */
    void watch(Timed connection, long timeoutNanos) {
        boolean added = watched.add(connection);
        long wanted = tickFor(timeoutNanos);
        if (wanted < tickNanos) {
            tickNanos = wanted;
            LockSupport.unpark(thread);
        } else if (added) {
            LockSupport.unpark(thread);
        }
    }

    void unwatch(Timed connection) {
        watched.remove(connection);
    }

    @Override
    public void run() {
        while (true) {
            if (watched.isEmpty()) {
                LockSupport.park(this);
                continue;
            }
            long now = System.nanoTime();
            long shortest = Long.MAX_VALUE;
            for (Timed connection : watched) {
                connection.expireIfDue(now);
                shortest = Math.min(shortest, connection.shortestTimeoutNanos());
            }
            tickNanos = tickFor(shortest);
            LockSupport.parkNanos(this, tickNanos);
        }
    }

    private static long tickFor(long timeoutNanos) {
        return Math.max(MIN_TICK_NANOS, Math.min(MAX_TICK_NANOS, timeoutNanos / 8));
    }
}
