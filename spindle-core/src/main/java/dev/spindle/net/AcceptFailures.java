package dev.spindle.net;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a server does when accepting fails, most often for want of file descriptors (EMFILE): it
 * counts each failed attempt ({@link ServerStats#acceptFailures()}), backs off from 5 ms doubling to
 * 1 s instead of spinning (the pending connection stays in the backlog and is reported ready
 * again at once), warns once when the failures start and, since that warning may itself fail for
 * want of a descriptor, logs once when accepting works again: how many attempts failed, over how
 * long, and the first failure's reason.
 *
 * <p>Used by the one thread that accepts (under ASYNC, by the completion of the one pending
 * accept, each of which follows the previous one); not thread-safe otherwise.
 */
final class AcceptFailures {

    static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String serverName;
    private final ServerLog log;
    private final LongAdder counter;

    private long backoffNanos;
    /** Failed attempts since accepting last worked, and when the first of them failed and why. */
    private long failures;
    private long firstFailureNanos;
    private String firstFailure;

    AcceptFailures(String serverName, ServerLog log, LongAdder counter) {
        this.serverName = serverName;
        this.log = log;
        this.counter = counter;
    }

    /**
     * Counts a failed attempt.
     *
     * @return how long to wait before the next attempt, in nanoseconds
     */
    long failed(IOException e) {
        counter.increment();
        boolean first = failures++ == 0;
        backoffNanos = backoffNanos == 0 ? MIN_BACKOFF_NANOS : Math.min(MAX_BACKOFF_NANOS, backoffNanos * 2);
        if (first) {
            firstFailureNanos = System.nanoTime();
            firstFailure = e.getMessage();
            log.log(System.Logger.Level.WARNING, serverName + ": accept failed (" + firstFailure
                    + "); backing off up to 1 s until it succeeds. If this is 'Too many open files', "
                    + "raise the limit (ulimit -n) or lower maxConnections", null);
        }
        return backoffNanos;
    }

    /** Accepting worked: after failures, says so once. */
    void succeeded() {
        backoffNanos = 0;
        if (failures == 0) {
            return;
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstFailureNanos);
        boolean logged = log.log(System.Logger.Level.WARNING, serverName + ": accepting again after " + failures
                + " failed accepts over " + millis / 1000 + "." + millis % 1000 / 100 + " s; first failure: "
                + firstFailure, null);
        if (logged) {
            failures = 0; // else the next success tries again, with the count so far
        }
    }
}
