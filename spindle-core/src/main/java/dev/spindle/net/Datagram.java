package dev.spindle.net;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * One datagram a {@link DatagramServer} received: its bytes, who sent it, and the server's socket
 * to answer from. socketserver's {@code (data, socket)} request.
 *
 * <p>Thread-safe; the bytes are the handler's own copy.
 */
public final class Datagram {

    private final byte[] data;
    private final SocketAddress sender;
    private final DatagramReplies replies;

    Datagram(byte[] data, SocketAddress sender, DatagramReplies replies) {
        this.data = data;
        this.sender = sender;
        this.replies = replies;
    }

    /** The datagram's bytes; the array is this datagram's own. */
    public byte[] data() {
        return data;
    }

    /** Who sent it: where {@link #reply(byte[])} sends. {@code null} for an unbound Unix-domain sender, which cannot be answered. */
    public SocketAddress sender() {
        return sender;
    }

    /**
     * Sends {@code reply} to the sender, from the socket this datagram arrived on, as one
     * datagram (socketserver's {@code socket.sendto(data, client_address)}).
     *
     * @throws IOException when it cannot be sent: the sender cannot be answered (an unbound Unix
     *     socket), the datagram is larger than the socket allows, or the socket's send buffer is
     *     full (datagrams are not queued; the reply is lost and counted)
     */
    public void reply(byte[] reply) throws IOException {
        reply(ByteBuffer.wrap(reply));
    }

    /** As {@link #reply(byte[])}, the bytes between {@code reply}'s position and limit. */
    public void reply(ByteBuffer reply) throws IOException {
        replies.send(reply, sender);
    }

    @Override
    public String toString() {
        return "datagram of " + data.length + " bytes from " + sender;
    }
}
