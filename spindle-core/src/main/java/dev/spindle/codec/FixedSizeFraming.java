package dev.spindle.codec;

import java.nio.ByteBuffer;

/**
 * Frames of exactly the same number of bytes, as a Python peer reads them with a
 * {@code recv_exactly(n)} loop. Made by {@link Framing#fixedSize(int)}.
 *
 * <p>Input that ends part-way through a frame raises {@link TruncatedFrameException}.
 *
 * <p>This class is immutable and sharable; its decoders are not.
 */
public final class FixedSizeFraming implements Framing {

    private final int size;

    /**
     * @throws IllegalArgumentException if {@code size} is less than 1
     */
    FixedSizeFraming(int size) {
        if (size < 1) {
            // Empty frames would let decode return a frame forever without consuming a byte.
            throw new IllegalArgumentException("a fixed frame size must be at least 1 byte, got " + size);
        }
        this.size = size;
    }

    /**
     * Returns the size of every frame.
     *
     * @return the frame size in bytes
     */
    public int size() {
        return size;
    }

    /** Returns the size of every frame. */
    @Override
    public int maxFrameSize() {
        return size;
    }

    /**
     * Returns a new decoder. Each frame is a slice of the input when the whole frame arrived in one
     * input, and a view of the decoder's own buffer otherwise.
     */
    @Override
    public FrameDecoder<ByteBuffer> newDecoder() {
        return new Decoder();
    }

    /**
     * Returns the payload alone.
     *
     * @throws MalformedFrameException if the payload is not exactly {@link #size()} bytes, smaller or larger
     */
    @Override
    public ByteBuffer[] encode(ByteBuffer payload) throws MalformedFrameException {
        if (payload.remaining() != size) {
            throw new MalformedFrameException("fixed-size frame must be exactly " + size + " bytes, got "
                    + payload.remaining() + "; pad or split the payload to " + size + " bytes");
        }
        return new ByteBuffer[] {payload.duplicate()};
    }

    @Override
    public String toString() {
        return "FixedSizeFraming[size=" + size + "]";
    }

    private final class Decoder implements FrameDecoder<ByteBuffer> {

        private final PendingBytes pending = new PendingBytes();

        @Override
        public ByteBuffer decode(ByteBuffer in) {
            int start = in.position();
            if (pending.length() == 0 && in.remaining() >= size) {
                ByteBuffer frame = in.slice(start, size);
                in.position(start + size);
                return frame;
            }
            int n = Math.min(size - pending.length(), in.remaining());
            if (n == 0) {
                return null;
            }
            pending.append(in, n, size);
            return pending.length() == size ? pending.take(size) : null;
        }

        @Override
        public ByteBuffer endOfInput() throws TruncatedFrameException {
            if (pending.length() > 0) {
                throw new TruncatedFrameException("fixed-size frame", pending.length());
            }
            return null;
        }

        @Override
        public int buffered() {
            return pending.length();
        }
    }
}
