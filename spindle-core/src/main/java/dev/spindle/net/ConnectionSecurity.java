package dev.spindle.net;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * What secures a server's or client's connections: nothing ({@link #PLAIN}), or TLS
 * ({@link Tls}). Blocking connections take it as their byte channel, non-blocking ones as a
 * protocol between the transport and the user's; that is the whole of TLS's reach into the models.
 */
interface ConnectionSecurity {

    /** No security: the socket's bytes as they are. */
    ConnectionSecurity PLAIN = new ConnectionSecurity() {
        @Override
        public StreamChannel channel(SocketChannel socket, SocketAddress peer) {
            return StreamChannel.plain(socket);
        }

        @Override
        public Protocol protocol(Protocol user, SocketAddress peer) {
            return user;
        }

        @Override
        public Duration handshakeTimeout() {
            return Duration.ZERO;
        }
    };

    /** The byte channel a blocking connection over {@code socket} to {@code peer} reads and writes. */
    StreamChannel channel(SocketChannel socket, SocketAddress peer) throws IOException;

    /** The protocol a non-blocking transport to {@code peer} runs, around the user's. */
    Protocol protocol(Protocol user, SocketAddress peer);

    /** How long a handshake may take; zero when there is none. */
    Duration handshakeTimeout();
}
