package dev.spindle.net;

import java.time.Instant;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where a server's log lines go: the one place that makes peer-derived text safe to log and keeps a
 * flood of failures from flooding the log.
 *
 * <ul>
 *   <li><b>Escaping.</b> A peer's bytes reach log lines through exception messages (a rejected
 *       header, a bad command). Every control character in a line, and in the messages of an
 *       exception logged with it, is written as an escape ({@code \n}, {@code \r}, {@code \t},
 *       &#92;u0000, &#92;u001b, &#92;u2028...), so a peer can neither forge a line nor
 *       send raw terminal codes to whoever reads the log.</li>
 *   <li><b>Rate.</b> Connection failures are logged through a token bucket of
 *       {@value #FAILURE_BURST} lines, refilled at {@value #FAILURES_PER_SECOND} a second per
 *       server; the rest are counted, and the next line that gets through (or the server's
 *       shutdown) says how many were suppressed since when. The error hook and
 *       {@link ServerStats#errors()} still see every failure.</li>
 *   <li><b>Survival.</b> Out of file descriptors, the JDK's logger may fail on its first record; a
 *       line that cannot be logged is dropped rather than allowed to end the calling thread's work.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
final class ServerLog {

    /** Failure lines logged back to back before the rate applies. */
    static final int FAILURE_BURST = 20;
    /** Failure lines logged per second once the burst is spent. */
    static final int FAILURES_PER_SECOND = 10;

    private static final System.Logger LOG = System.getLogger(StreamServer.class.getName());
    private static final long NANOS_PER_TOKEN = TimeUnit.SECONDS.toNanos(1) / FAILURES_PER_SECOND;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    static {
        // The logger's first record loads the time-zone rules from a file; do it while a
        // descriptor is sure to be free, so that a server out of descriptors can still log.
        try {
            java.time.ZoneId.systemDefault().getRules();
        } catch (RuntimeException ignored) {
            // logging will do without, or fail quietly
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private long tokensNanos = FAILURE_BURST * NANOS_PER_TOKEN; // a token is NANOS_PER_TOKEN of credit
    private long lastRefill = System.nanoTime();
    private long suppressed;
    private Instant suppressedSince;

    /**
     * Logs {@code message}, and {@code thrown} if not null, escaped.
     *
     * @return whether the line was logged; false when the logger failed
     */
    boolean log(System.Logger.Level level, String message, Throwable thrown) {
        try {
            LOG.log(level, escape(message), EscapedThrowable.of(thrown));
            return true;
        } catch (Throwable loggingFailed) {
            if (loggingFailed instanceof VirtualMachineError fatal && !(loggingFailed instanceof OutOfMemoryError)) {
                throw fatal;
            }
            return false;
        }
    }

    /** Logs at DEBUG, making the line only when DEBUG is logged; for lines with no peer-derived text. */
    void debug(java.util.function.Supplier<String> message) {
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            log(System.Logger.Level.DEBUG, message.get(), null);
        }
    }

    /** Logs a connection's failure at WARNING, unless the rate is spent: then it is counted for a later line. */
    void failure(String message, Throwable thrown) {
        long passedSuppressed;
        Instant since;
        lock.lock();
        try {
            long now = System.nanoTime();
            tokensNanos = Math.min(FAILURE_BURST * NANOS_PER_TOKEN, tokensNanos + (now - lastRefill));
            lastRefill = now;
            if (tokensNanos < NANOS_PER_TOKEN) {
                if (suppressed++ == 0) {
                    suppressedSince = Instant.now();
                }
                return;
            }
            tokensNanos -= NANOS_PER_TOKEN;
            passedSuppressed = suppressed;
            since = suppressedSince;
            suppressed = 0;
        } finally {
            lock.unlock();
        }
        log(System.Logger.Level.WARNING, passedSuppressed == 0 ? message
                : message + " (and " + passedSuppressed + " more failures suppressed since " + since + ")", thrown);
    }

    /** Logs how many failures were suppressed since the last line that got through, if any: at shutdown. */
    void flushSuppressed(String serverName) {
        long n;
        Instant since;
        lock.lock();
        try {
            n = suppressed;
            since = suppressedSince;
            suppressed = 0;
        } finally {
            lock.unlock();
        }
        if (n > 0) {
            log(System.Logger.Level.WARNING, serverName + ": " + n + " more failures suppressed since " + since, null);
        }
    }

    /** {@code t.toString()}, or its class name when even that fails (a {@code getMessage} that throws). */
    static String describe(Throwable t) {
        try {
            return t.toString();
        } catch (RuntimeException | LinkageError unreadable) {
            return t.getClass().getName() + " (its message could not be read: " + unreadable.getClass().getName() + ")";
        }
    }

    /** Whether {@code c} is written as an escape: C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
    private static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }

    /** {@code text} with every control character escaped; the same string when it has none. */
    static String escape(String text) {
        if (text == null) {
            return null;
        }
        int first = 0;
        while (first < text.length() && !needsEscape(text.charAt(first))) {
            first++;
        }
        if (first == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!needsEscape(c)) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else {
                out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf])
                        .append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    /**
     * An exception as it is logged: the original's class, message (escaped), stack trace, causes
     * and suppressed exceptions, so that a log handler printing it prints no raw control character.
     */
    static final class EscapedThrowable extends Throwable {
        private static final long serialVersionUID = 1L;
        private static final int MAX_DEPTH = 32;

        private final String text;

        private EscapedThrowable(Throwable original, Set<Throwable> seen, int depth) {
            super(null, escapedCause(original, seen, depth), true, true);
            this.text = escape(describe(original));
            setStackTrace(original.getStackTrace());
            for (Throwable s : original.getSuppressed()) {
                if (depth < MAX_DEPTH && seen.add(s)) {
                    addSuppressed(new EscapedThrowable(s, seen, depth + 1));
                }
            }
        }

        private static Throwable escapedCause(Throwable original, Set<Throwable> seen, int depth) {
            Throwable cause = original.getCause();
            return cause != null && depth < MAX_DEPTH && seen.add(cause)
                    ? new EscapedThrowable(cause, seen, depth + 1) : null;
        }

        /** {@code thrown} itself when nothing in it needs escaping, else its escaped copy. */
        static Throwable of(Throwable thrown) {
            if (thrown == null || !needsEscaping(thrown, Collections.newSetFromMap(new IdentityHashMap<>()), 0)) {
                return thrown;
            }
            Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            seen.add(thrown);
            return new EscapedThrowable(thrown, seen, 0);
        }

        private static boolean needsEscaping(Throwable t, Set<Throwable> seen, int depth) {
            if (t == null || depth > MAX_DEPTH || !seen.add(t)) {
                return false;
            }
            String s = describe(t);
            if (!escape(s).equals(s) || needsEscaping(t.getCause(), seen, depth + 1)) {
                return true;
            }
            for (Throwable suppressed : t.getSuppressed()) {
                if (needsEscaping(suppressed, seen, depth + 1)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public Throwable fillInStackTrace() {
            return this; // the original's stack trace is set instead
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
