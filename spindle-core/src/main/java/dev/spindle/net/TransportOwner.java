package dev.spindle.net;

/** What a server learns when one of its non-blocking transports has closed. */
interface TransportOwner {

    /**
     * @param reason why it was closed from outside, if it was
     * @param cause  what ended it, or {@code null} after a clean close
     */
    void ended(LiveConnection transport, java.net.SocketAddress peer, CloseReason reason, Throwable cause);
}
