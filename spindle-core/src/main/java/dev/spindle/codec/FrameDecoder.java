package dev.spindle.codec;

import java.nio.ByteBuffer;

/**
 * Cuts frames out of a byte stream that arrives in arbitrary pieces.
 *
 * <p>A decoder is incremental: feed it whatever bytes arrived, in any split, and it returns each
 * frame once all of its bytes have been seen. The same decoder serves a blocking
 * {@code Connection} and a non-blocking event loop: it never reads from a socket itself.
 *
 * <p><b>Not thread-safe, not sharable.</b> A decoder holds one connection's partial frame; make a
 * new one per connection with {@link Framing#newDecoder()}.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>A returned {@link ByteBuffer} may be a view of the input or of the decoder's own buffer.
 *       It is valid only until the next call on this decoder or the next change to the input
 *       buffer; copy what you keep.</li>
 *   <li>Call {@link #decode} again after a frame: the input may hold more than one.</li>
 *   <li>After a {@link FramingException} the decoder's place in the stream is lost: close the
 *       connection rather than decode more.</li>
 * </ul>
 *
 * @param <T> what a frame decodes to
 */
public interface FrameDecoder<T> {

    /**
     * Consumes bytes from {@code in}, advancing its position, until one frame is complete or
     * {@code in} has no bytes left. Bytes of an unfinished frame are kept by the decoder, so the
     * caller may reuse {@code in} afterwards.
     *
     * @param in the bytes that arrived; only the bytes between position and limit are read
     * @return the next complete frame, or {@code null} when more input is needed
     * @throws FrameTooLargeException   as soon as the frame is known to exceed the maximum
     * @throws MalformedFrameException  when a header cannot be understood
     */
    T decode(ByteBuffer in) throws FramingException;

    /**
     * Tells the decoder the input has ended.
     *
     * @return a last frame the framing accepts without its terminator (an unterminated last line),
     *     or {@code null} when nothing is pending
     * @throws TruncatedFrameException when the input ended in the middle of a frame
     */
    T endOfInput() throws FramingException;

    /**
     * Returns how many bytes of an unfinished frame the decoder holds.
     *
     * @return the bytes held, zero between frames
     */
    int buffered();
}
