package dev.spindle.net;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A {@link Protocol}'s side of its connection: non-blocking writes with back-pressure, flow
 * control of reads, half-close and close. asyncio's {@code Transport}.
 *
 * <p><b>Thread-safe.</b> Every method may be called from any thread; calls made on the
 * connection's own loop take effect at once, calls from elsewhere are handed to it.
 *
 * <h2>Back-pressure</h2>
 * A write sends what the socket takes now and keeps the rest in the transport's write buffer,
 * sent as the peer reads. When the buffer grows past the high water mark the transport becomes
 * unwritable and calls {@link Protocol#writabilityChanged(boolean) writabilityChanged(false)}; when
 * it drains below the low water mark, {@code writabilityChanged(true)}. Writes are never refused:
 * bounding memory is the protocol's part, by pausing reads (or its producer) while unwritable.
 */
public interface Transport {

    /** The default high water mark: 64 KiB. */
    int DEFAULT_HIGH_WATER = 64 * 1024;
    /** The default low water mark: 16 KiB. */
    int DEFAULT_LOW_WATER = 16 * 1024;

    /**
     * Sends the bytes between {@code data}'s position and limit, without blocking. The buffer is
     * consumed (its position advances to its limit) and may be reused when the call returns.
     * Writes after {@link #close()} or {@link #shutdownOutput()} are dropped.
     */
    void write(ByteBuffer data);

    /** Sends several buffers in order, with one gathering write where possible. */
    void write(ByteBuffer... data);

    /** Whether the write buffer is below the high water mark. */
    boolean isWritable();

    /** Bytes written but not yet taken by the socket. */
    int writeBufferSize();

    /**
     * Sets the water marks.
     *
     * @throws IllegalArgumentException unless {@code 0 <= low <= high}
     */
    void writeBufferLimits(int high, int low);

    /** Stops calling {@link Protocol#dataReceived} until {@link #resumeReading()}; the peer is slowed by TCP. */
    void pauseReading();

    /** Resumes reading after {@link #pauseReading()}. */
    void resumeReading();

    /** Sends end-of-stream once the write buffer has drained, keeping the read side open ({@code write_eof}). */
    void shutdownOutput();

    /** Closes once the write buffer has drained; {@link Protocol#connectionLost} follows with {@code null}. */
    void close();

    /** Closes at once, dropping the write buffer. */
    void abort();

    /** Whether the connection is closed or closing. */
    boolean isClosing();

    /** The peer's address. */
    SocketAddress peerAddress();

    /** This end's address. */
    SocketAddress localAddress();

    /** The connection's number within its server, for logs. */
    long id();

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
