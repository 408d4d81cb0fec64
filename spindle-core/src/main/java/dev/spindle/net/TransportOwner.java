package dev.spindle.net;

import java.net.SocketAddress;

/** What a server (or client group) learns when one of its non-blocking transports has closed. */
interface TransportOwner {

    /**
     * @param reason why it was closed from outside, if it was
     * @param cause  what ended it, or {@code null} after a clean close
     */
    void ended(LiveConnection transport, SocketAddress peer, CloseReason reason, Throwable cause);

    /**
     * Tells the protocol, then this owner, that a transport has closed. A close by shutdown is a
     * clean end for the protocol; a protocol whose {@code connectionLost} throws ends with that.
     */
    default void end(LiveConnection transport, SocketAddress peer, Protocol protocol, CloseReason reason,
                     Throwable cause) {
        Throwable reported = reason == CloseReason.SHUTDOWN ? null : cause;
        try {
            protocol.connectionLost(reported);
        } catch (Throwable t) {
            if (reported == null) {
                reported = t;
            }
        }
        ended(transport, peer, reason, reported);
    }
}
