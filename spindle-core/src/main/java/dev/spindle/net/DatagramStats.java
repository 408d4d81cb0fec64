package dev.spindle.net;

/**
 * A snapshot of a {@link DatagramServer}'s counters. Each counter is read separately, so the
 * snapshot is consistent per field, not across fields.
 *
 * @param received  datagrams received and handed to the handler
 * @param sent      replies sent
 * @param bytesIn   bytes of the datagrams received
 * @param bytesOut  bytes of the replies sent
 * @param errors    handlers that threw, and replies that could not be sent
 * @param truncated datagrams longer than {@link DatagramServerBuilder#maxDatagramSize(int)}: cut
 *                  short by the socket, so dropped rather than handled, and reported
 * @param dropped   datagrams dropped because every handler slot was taken under
 *                  {@link WhenFull#REFUSE}
 * @param inFlight  handlers running or queued now
 */
public record DatagramStats(long received, long sent, long bytesIn, long bytesOut, long errors, long truncated,
                            long dropped, long inFlight) {

    @Override
    public String toString() {
        return "received=" + received + " sent=" + sent + " bytesIn=" + bytesIn + " bytesOut=" + bytesOut
                + " errors=" + errors + " truncated=" + truncated + " dropped=" + dropped + " inFlight=" + inFlight;
    }
}
