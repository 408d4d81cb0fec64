package dev.spindle.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * How messages are cut out of a byte stream: the answer to TCP's "sticky packet" problem.
 *
 * <p>A {@code Framing} is an immutable description and is <b>sharable</b>: one instance serves
 * every connection of a server. Per-connection state lives in the {@link FrameDecoder} that
 * {@link #newDecoder()} makes.
 *
 * <p>Every framing has a maximum frame size; a frame over it raises
 * {@link FrameTooLargeException} on decode and on encode, so neither side buffers without bound.
 *
 * <table>
 *   <caption>The framings</caption>
 *   <tr><th>factory</th><th>a frame is</th><th>Python peer</th></tr>
 *   <tr><td>{@link #raw(int)}</td><td>whatever one read returned</td><td>{@code sock.recv(n)}</td></tr>
 *   <tr><td>{@link #lines(int)}</td><td>bytes up to {@code \n} ({@code \r\n} accepted)</td><td>{@code rfile.readline()}</td></tr>
 *   <tr><td>{@link #delimited(byte[], int)}</td><td>bytes up to a delimiter</td><td>{@code data.split(b'\0')}</td></tr>
 *   <tr><td>{@link #lengthPrefixed(int, ByteOrder, int)}</td><td>a 1, 2, 4 or 8-byte length, then that many bytes</td><td>{@code struct.pack('i', n)} is 4 bytes little-endian</td></tr>
 *   <tr><td>{@link #fixedSize(int)}</td><td>exactly n bytes</td><td>{@code recv_exactly(n)}</td></tr>
 * </table>
 * A length-prefixed header followed by a body the header describes is {@link HeaderBodyFraming}.
 */
public interface Framing {

    /** The default maximum frame size: 16 MiB. */
    int DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;

    /** A fresh decoder for one connection. */
    FrameDecoder<ByteBuffer> newDecoder();

    /**
     * Frames one payload for sending.
     *
     * @param payload the bytes between position and limit; not modified
     * @return the buffers to write in order (a header, the payload, a terminator: whichever the framing has)
     * @throws FrameTooLargeException  when the payload exceeds the maximum frame size
     * @throws MalformedFrameException when the payload cannot be framed, such as a line that contains
     *     its own terminator or a fixed-size frame of another size
     */
    ByteBuffer[] encode(ByteBuffer payload) throws FramingException;

    /** The largest payload this framing accepts, in bytes. */
    int maxFrameSize();

    /** Each read is a frame of at most {@code maxChunk} bytes: no framing at all, as {@code recv(maxChunk)}. */
    static Framing raw(int maxChunk) {
        return new RawFraming(maxChunk);
    }

    /** Lines ending in {@code \n}; a {@code \r} before it is dropped; the terminator is not part of the frame. */
    static LineFraming lines(int maxLength) {
        return new LineFraming(maxLength);
    }

    /** Frames ending in {@code delimiter}; the delimiter is not part of the frame. */
    static DelimiterFraming delimited(byte[] delimiter, int maxFrameSize) {
        return new DelimiterFraming(delimiter, maxFrameSize);
    }

    /** A length of {@code width} bytes (1, 2, 4 or 8) in {@code order}, then that many bytes. */
    static LengthPrefixFraming lengthPrefixed(int width, ByteOrder order, int maxFrameSize) {
        return new LengthPrefixFraming(width, order, maxFrameSize);
    }

    /** Frames of exactly {@code size} bytes. */
    static FixedSizeFraming fixedSize(int size) {
        return new FixedSizeFraming(size);
    }
}
