package dev.spindle.net;

import dev.spindle.codec.FrameDecoder;
import dev.spindle.codec.Framing;
import dev.spindle.codec.FramingException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One stream connection, TCP or Unix-domain: Python's connected {@code socket} with its
 * {@code rfile} and {@code wfile}, in blocking form.
 *
 * <p>Servers hand a connection to a {@link ConnectionHandler}; {@link Client} opens one to a
 * server. Every read blocks until data arrives, the peer closes, or the read timeout passes.
 *
 * <h2>Threads</h2>
 * One thread may read while another writes; two threads must not read (or write) at once.
 *
 * <h2>Timeouts</h2>
 * {@link #readTimeout(Duration)} and {@link #writeTimeout(Duration)} bound every blocking read
 * and write (zero means none, the default for clients; a server's idle timeout is the default for
 * its connections). A call times out when it has waited that long with no byte moving either way
 * on the connection: a peer that trickles bytes keeps it alive only while it makes progress, and a
 * read that waits while another thread's writes go out is not idle. <b>A timeout closes the
 * connection</b> (as Okio's do) and throws {@link java.net.SocketTimeoutException}: after a read
 * times out the position inside the peer's message is unknown, so going on would misread it.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>The buffered reads ({@link #readLine()}, {@link #readFrame()}, {@link #recvExactly(int)},
 *       {@link #inputStream()}) share one buffer, and {@link #recv(int)} drains it first, so they
 *       may be mixed freely. Bytes read around this object, straight from a channel, are not.</li>
 *   <li>Closing {@link #inputStream()} or {@link #outputStream()} closes the connection, as a
 *       {@link java.net.Socket}'s streams do.</li>
 * </ul>
 */
public interface Connection extends AutoCloseable {

    /** A number that identifies this connection within its server or client, for logs. */
    long id();

    /**
     * Receives at most {@code maxBytes} bytes, blocking until at least one arrives.
     *
     * @return the bytes received, or an empty array when the peer has closed its side (Python's {@code b''})
     * @throws java.net.SocketTimeoutException when the read timeout passes first (the connection is closed)
     * @throws IOException when the connection fails or was closed
     */
    byte[] recv(int maxBytes) throws IOException;

    /**
     * Receives into {@code dst}, blocking until at least one byte arrives; allocates nothing.
     *
     * @return the number of bytes read, or -1 when the peer has closed its side
     * @throws IOException as {@link #recv(int)}
     */
    int recvInto(ByteBuffer dst) throws IOException;

    /**
     * Receives exactly {@code n} bytes, blocking until all have arrived.
     *
     * @throws java.io.EOFException when the peer closes first; its message says how many bytes came
     * @throws IOException as {@link #recv(int)}
     */
    byte[] recvExactly(int n) throws IOException;

    /**
     * Reads one UTF-8 line, without its {@code \n} or {@code \r\n}.
     *
     * @return the line, the unterminated last line, or {@code null} at end of stream
     * @throws dev.spindle.codec.FrameTooLargeException when a line exceeds the maximum line length
     * @throws IOException as {@link #recv(int)}
     */
    String readLine() throws IOException;

    /**
     * Reads one frame in this connection's {@link Framing}.
     *
     * @return the frame's payload, or {@code null} when the peer closed cleanly between frames
     * @throws FramingException when the input is not a valid frame, or ends inside one
     * @throws IOException as {@link #recv(int)}
     */
    byte[] readFrame() throws IOException;

    /**
     * Reads one frame with a decoder of the caller's, such as a
     * {@link dev.spindle.codec.HeaderBodyFraming} decoder. Use one decoder for the whole life of
     * the connection: it holds the partial frame between calls.
     *
     * @return what the decoder produced, valid until the next read on this connection, or
     *     {@code null} at a clean end of stream
     * @throws FramingException when the input is not a valid frame, or ends inside one
     * @throws IOException as {@link #recv(int)}
     */
    <T> T read(FrameDecoder<T> decoder) throws IOException;

    /**
     * Writes some of {@code src}: as much as the socket takes in one call, at least one byte.
     *
     * @return the number of bytes written
     * @throws java.net.SocketTimeoutException when the write timeout passes first (the connection is closed)
     * @throws IOException when the connection fails or was closed
     */
    int send(ByteBuffer src) throws IOException;

    /** Writes all of {@code data}, blocking until the socket has taken every byte ({@code sendall}). */
    void sendAll(byte[] data) throws IOException;

    /** Writes every remaining byte of each buffer, in order, with gathering writes. */
    void sendAll(ByteBuffer... buffers) throws IOException;

    /**
     * Frames {@code payload} in this connection's {@link Framing} and writes it.
     *
     * @throws FramingException when the payload cannot be framed (too large, or holds a terminator)
     */
    void sendFrame(byte[] payload) throws IOException;

    /**
     * Writes a whole file, with the kernel's zero-copy {@code sendfile} where the JDK can use it.
     *
     * @return the number of bytes sent
     */
    long sendFile(Path file) throws IOException;

    /** This connection's framing, used by {@link #readFrame()} and {@link #sendFrame(byte[])}. */
    Framing framing();

    /**
     * Bounds each blocking read: one that waits this long with no byte moving either way fails with
     * {@link java.net.SocketTimeoutException} and closes the connection. A setting, not a wait:
     * zero means none, and a negative value is refused. Returns this connection.
     *
     * @throws IllegalArgumentException when {@code timeout} is negative
     */
    Connection readTimeout(Duration timeout);

    /** The current read timeout; {@link Duration#ZERO} when none. */
    Duration readTimeout();

    /**
     * Bounds each blocking write, as {@link #readTimeout(Duration)} bounds reads. A setting, not a
     * wait: zero means none, and a negative value is refused. Returns this connection.
     *
     * @throws IllegalArgumentException when {@code timeout} is negative
     */
    Connection writeTimeout(Duration timeout);

    /** The current write timeout; {@link Duration#ZERO} when none. */
    Duration writeTimeout();

    /**
     * Sets a socket option, such as {@link java.net.StandardSocketOptions#TCP_NODELAY},
     * {@code SO_KEEPALIVE}, {@code SO_RCVBUF} or {@code SO_SNDBUF}.
     *
     * @throws UnsupportedOperationException when the transport has no such option (TCP options on a Unix-domain socket)
     */
    <T> Connection option(SocketOption<T> name, T value) throws IOException;

    /** Reads a socket option. */
    <T> T option(SocketOption<T> name) throws IOException;

    /** The peer's address ({@code getpeername}); for Unix-domain peers usually an unnamed address. */
    SocketAddress peerAddress();

    /** This end's address ({@code getsockname}). */
    SocketAddress localAddress();

    /** A stream over this connection's reads ({@code rfile}); it shares the connection's buffer. */
    InputStream inputStream();

    /** A stream over this connection's writes ({@code wfile}); unbuffered, each write is a {@link #sendAll(byte[])}. */
    OutputStream outputStream();

    /** Sends end-of-stream to the peer while still reading its reply ({@code shutdown(SHUT_WR)}). */
    void shutdownOutput() throws IOException;

    /** Whether the connection is still open. */
    boolean isOpen();

    /** Closes the connection; idempotent. Blocked reads and writes on it fail. */
    @Override
    void close();


    /**
     * The TLS session (protocol version, cipher suite, the peer's certificates), or {@code null}
     * on a connection without TLS. Python's {@code SSLSocket.version()} and {@code getpeercert()}.
     */
    default javax.net.ssl.SSLSession tlsSession() {
        return null;
    }

    /**
     * The application protocol TLS's ALPN settled on (such as {@code "h2"}), or {@code null} when
     * none was (or there is no TLS). Python's {@code selected_alpn_protocol()}.
     */
    default String applicationProtocol() {
        return null;
    }
}
