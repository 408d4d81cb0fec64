package dev.spindle.net;

import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.SocketChannel;

/**
 * The bytes under a blocking {@link Connection}: the socket itself ({@link #plain(SocketChannel)}),
 * or TLS over it ({@link TlsStreamChannel}). The seam that lets TLS wrap a connection without the
 * connection knowing; reads and writes block, and closing from another thread ends them.
 */
interface StreamChannel extends ByteChannel, GatheringByteChannel {

    /** The socket underneath, for its options and addresses. */
    SocketChannel socket();

    /** Ends the output: end-of-stream for the peer (after TLS's close_notify), keeping the input open. */
    void shutdownOutput() throws IOException;

    /**
     * Sends up to {@code count} bytes of {@code file} from {@code position}: the kernel's sendfile
     * on a plain socket, a read-and-write through TLS.
     */
    long sendFile(FileChannel file, long position, long count) throws IOException;

    /** Runs the handshake now, where the protocol has one (TLS); otherwise nothing. */
    default void handshake() throws IOException {
    }

    /** Says goodbye before a close, where the protocol has a goodbye (TLS's close_notify). */
    default void closeOutbound() throws IOException {
    }

    /** The TLS session, or {@code null} on a plain socket (or before the handshake). */
    default javax.net.ssl.SSLSession tlsSession() {
        return null;
    }

    /** The application protocol TLS's ALPN chose, or {@code null}. */
    default String applicationProtocol() {
        return null;
    }

    /** The socket itself. */
    static StreamChannel plain(SocketChannel socket) {
        return new Plain(socket);
    }

    /** The socket's bytes as they are. */
    record Plain(SocketChannel socket) implements StreamChannel {

        @Override
        public int read(java.nio.ByteBuffer dst) throws IOException {
            return socket.read(dst);
        }

        @Override
        public int write(java.nio.ByteBuffer src) throws IOException {
            return socket.write(src);
        }

        @Override
        public long write(java.nio.ByteBuffer[] srcs, int offset, int length) throws IOException {
            return socket.write(srcs, offset, length);
        }

        @Override
        public long write(java.nio.ByteBuffer[] srcs) throws IOException {
            return socket.write(srcs);
        }

        @Override
        public void shutdownOutput() throws IOException {
            socket.shutdownOutput();
        }

        @Override
        public long sendFile(FileChannel file, long position, long count) throws IOException {
            return file.transferTo(position, count, socket);
        }

        @Override
        public boolean isOpen() {
            return socket.isOpen();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
