package dev.spindle.codec;

import java.nio.ByteBuffer;

/**
 * No framing: each frame is whatever bytes are at hand, at most {@code maxChunk} of them, as
 * Python's {@code sock.recv(maxChunk)}. Made by {@link Framing#raw(int)}.
 *
 * <p>The decoder keeps no state, so one instance serves every connection.
 */
final class RawFraming implements Framing {

    private final int maxChunk;
    private final FrameDecoder<ByteBuffer> decoder = new Decoder();

    /**
     * @throws IllegalArgumentException if {@code maxChunk} is less than 1
     */
    RawFraming(int maxChunk) {
        if (maxChunk < 1) {
            throw new IllegalArgumentException(
                    "raw framing needs a maximum chunk of at least 1 byte, got " + maxChunk);
        }
        this.maxChunk = maxChunk;
    }

    /**
     * Returns a decoder whose every frame is the next bytes of its input, at most
     * {@link #maxFrameSize()} of them, as a slice of that input.
     */
    @Override
    public FrameDecoder<ByteBuffer> newDecoder() {
        return decoder;
    }

    /**
     * Returns the payload alone.
     *
     * @throws FrameTooLargeException if the payload exceeds the maximum chunk
     */
    @Override
    public ByteBuffer[] encode(ByteBuffer payload) throws FrameTooLargeException {
        int size = payload.remaining();
        if (size > maxChunk) {
            throw new FrameTooLargeException("raw chunk", size, maxChunk);
        }
        return new ByteBuffer[] {payload.duplicate()};
    }

    /** Returns the maximum chunk. */
    @Override
    public int maxFrameSize() {
        return maxChunk;
    }

    @Override
    public String toString() {
        return "RawFraming[maxChunk=" + maxChunk + "]";
    }

    private final class Decoder implements FrameDecoder<ByteBuffer> {

        @Override
        public ByteBuffer decode(ByteBuffer in) {
            int n = Math.min(in.remaining(), maxChunk);
            if (n == 0) {
                return null;
            }
            int start = in.position();
            ByteBuffer chunk = in.slice(start, n);
            in.position(start + n);
            return chunk;
        }

        @Override
        public ByteBuffer endOfInput() {
            return null;
        }

        @Override
        public int buffered() {
            return 0;
        }
    }
}
