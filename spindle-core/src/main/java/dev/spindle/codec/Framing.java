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

    /**
     * Returns a fresh decoder for one connection.
     *
     * @return a new decoder, or a shared one when the framing keeps no state between inputs
     */
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

    /**
     * Returns the largest payload this framing accepts.
     *
     * @return the maximum frame size in bytes
     */
    int maxFrameSize();

    /**
     * Returns a framing where each read is a frame of at most {@code maxChunk} bytes: no framing at
     * all, as {@code recv(maxChunk)}.
     *
     * @param maxChunk the largest frame returned or accepted
     * @return the framing
     * @throws IllegalArgumentException if {@code maxChunk} is less than 1
     */
    static Framing raw(int maxChunk) {
        return new RawFraming(maxChunk);
    }

    /**
     * Returns a framing of lines ending in {@code \n}; a {@code \r} before it is dropped; the
     * terminator is not part of the frame.
     *
     * @param maxLength the longest line accepted, terminator excluded
     * @return the framing
     * @throws IllegalArgumentException if {@code maxLength} is negative
     */
    static LineFraming lines(int maxLength) {
        return new LineFraming(maxLength);
    }

    /**
     * Returns a framing of frames ending in {@code delimiter}; the delimiter is not part of the frame.
     *
     * @param delimiter    the bytes that end each frame; copied
     * @param maxFrameSize the largest frame accepted, delimiter excluded
     * @return the framing
     * @throws NullPointerException     if {@code delimiter} is null
     * @throws IllegalArgumentException if {@code delimiter} is empty or {@code maxFrameSize} is negative
     */
    static DelimiterFraming delimited(byte[] delimiter, int maxFrameSize) {
        return new DelimiterFraming(delimiter, maxFrameSize);
    }

    /**
     * Returns a framing of a length of {@code width} bytes (1, 2, 4 or 8) in {@code order}, then that
     * many bytes.
     *
     * @param width        the prefix width in bytes; 4 and 8-byte prefixes are signed, 1 and 2-byte unsigned
     * @param order        the prefix byte order
     * @param maxFrameSize the largest frame accepted, prefix excluded
     * @return the framing
     * @throws IllegalArgumentException if {@code width} is not 1, 2, 4 or 8, or {@code maxFrameSize} is negative
     * @throws NullPointerException     if {@code order} is null
     */
    static LengthPrefixFraming lengthPrefixed(int width, ByteOrder order, int maxFrameSize) {
        return new LengthPrefixFraming(width, order, maxFrameSize);
    }

    /**
     * Returns a framing of frames of exactly {@code size} bytes.
     *
     * @param size the size of every frame
     * @return the framing
     * @throws IllegalArgumentException if {@code size} is less than 1
     */
    static FixedSizeFraming fixedSize(int size) {
        return new FixedSizeFraming(size);
    }
}
