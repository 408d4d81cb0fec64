package dev.spindle.net;

/**
 * A snapshot of a server's counters, from {@link StreamServer#stats()}. Each counter is read
 * separately while connections come and go, so the snapshot is consistent per field, not across
 * fields.
 *
 * @param active         connections open now, including those queued for a pool thread
 * @param accepted       connections accepted since the server opened, refused ones included
 * @param refused        connections closed at once: over the maximum, a full pool, or rejected by the verify hook
 * @param bytesIn        bytes read from all connections
 * @param bytesOut       bytes written to all connections
 * @param errors         connections whose handler threw, or that failed with an I/O or framing error,
 *                       or that the input budget refused
 * @param timedOut       connections closed because a read or write passed its timeout (the idle timeout)
 * @param acceptFailures failed attempts to accept a connection, most often for want of file
 *                       descriptors; not connections, so not in {@code errors}: one connection
 *                       waiting in the backlog may fail many attempts while the server backs off
 * @param bufferedInput  bytes of unfinished frames held now across all connections, charged to the
 *                       {@link StreamServerBuilder#inputBudget(long) input budget}
 */
public record ServerStats(long active, long accepted, long refused, long bytesIn, long bytesOut, long errors,
                          long timedOut, long acceptFailures, long bufferedInput) implements java.io.Serializable {

    /** All zero: a server that has seen nothing. */
    static final ServerStats NONE = new ServerStats(0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Field by field, this and {@code other}: the stats of two servers as one. */
    ServerStats plus(ServerStats other) {
        return new ServerStats(active + other.active, accepted + other.accepted, refused + other.refused,
                bytesIn + other.bytesIn, bytesOut + other.bytesOut, errors + other.errors, timedOut + other.timedOut,
                acceptFailures + other.acceptFailures, bufferedInput + other.bufferedInput);
    }

    /** These stats as a server that has ended leaves them: its counts, with nothing open or buffered. */
    ServerStats ended() {
        return new ServerStats(0, accepted, refused, bytesIn, bytesOut, errors, timedOut, acceptFailures, 0);
    }

    @Override
    public String toString() {
        return "active=" + active + " accepted=" + accepted + " refused=" + refused + " bytesIn=" + bytesIn
                + " bytesOut=" + bytesOut + " errors=" + errors + " timedOut=" + timedOut
                + " acceptFailures=" + acceptFailures + " bufferedInput=" + bufferedInput;
    }
}
