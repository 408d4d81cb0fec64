package dev.spindle.net;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/** Where a {@link Datagram}'s replies go: the server's socket it arrived on. */
interface DatagramReplies {

    /** Sends {@code data} to {@code to} as one datagram, or throws saying why it was not sent. */
    void send(ByteBuffer data, SocketAddress to) throws IOException;
}
