package dev.spindle.net;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * A datagram was longer than the buffer it was received into, so the socket cut it short: the
 * rest is lost, and the part received is not handed on as if it were whole. Python's
 * {@code recvfrom(bufsize)} truncates silently; Spindle says so. Receive with a larger maximum
 * (a UDP datagram carries at most 65,507 bytes over IPv4).
 */
public final class DatagramTruncatedException extends IOException {

    private final SocketAddress sender;
    private final int limit;

    public DatagramTruncatedException(SocketAddress sender, int limit) {
        super("a datagram from " + sender + " was longer than " + limit + " bytes and was cut short; "
                + "receive with a larger maximum size");
        this.sender = sender;
        this.limit = limit;
    }

    /** Who sent it. */
    public SocketAddress sender() {
        return sender;
    }

    /** The most bytes the receiver took. */
    public int limit() {
        return limit;
    }
}
