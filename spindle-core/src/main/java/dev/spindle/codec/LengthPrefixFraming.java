package dev.spindle.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Frames that start with their length: a prefix of 1, 2, 4 or 8 bytes in a given byte order, then
 * that many bytes. The length counts the bytes after the prefix. Made by
 * {@link Framing#lengthPrefixed(int, ByteOrder, int)} and {@link #pythonStructI(int)}.
 *
 * <p>Prefixes of 4 and 8 bytes are signed, as Python's {@code struct} formats {@code 'i'} and
 * {@code 'q'} and Java's {@code int} and {@code long} write them; a negative length raises
 * {@link MalformedFrameException}. Prefixes of 1 and 2 bytes are unsigned ({@code 'B'} and
 * {@code 'H'}), so such frames may be up to 255 and 65535 bytes long.
 *
 * <p>A length over the maximum raises {@link FrameTooLargeException} as soon as the prefix has
 * arrived, before any of the body is buffered. Input that ends in the middle of a prefix or a body
 * raises {@link TruncatedFrameException}.
 *
 * <p>This class is immutable and sharable; its decoders are not.
 */
public final class LengthPrefixFraming implements Framing {

    private final int width;
    private final ByteOrder order;
    private final int maxFrameSize;

    /**
     * @throws IllegalArgumentException if {@code width} is not 1, 2, 4 or 8, or {@code maxFrameSize} is negative
     * @throws NullPointerException     if {@code order} is null
     */
    LengthPrefixFraming(int width, ByteOrder order, int maxFrameSize) {
        if (width != 1 && width != 2 && width != 4 && width != 8) {
            throw new IllegalArgumentException("a length prefix is 1, 2, 4 or 8 bytes wide, not " + width);
        }
        Objects.requireNonNull(order, "order");
        if (maxFrameSize < 0) {
            throw new IllegalArgumentException("the maximum frame size must not be negative, got " + maxFrameSize);
        }
        this.width = width;
        this.order = order;
        // A narrow prefix cannot describe a longer frame, so the framing cannot accept one either.
        this.maxFrameSize = switch (width) {
            case 1 -> Math.min(maxFrameSize, 0xFF);
            case 2 -> Math.min(maxFrameSize, 0xFFFF);
            default -> maxFrameSize;
        };
    }

    /**
     * Returns the framing of a Python peer that writes {@code struct.pack('i', len(data)) + data} on
     * a little-endian machine (x86, ARM): a signed 4-byte little-endian length, the same as
     * {@code struct.pack('<i', n)}.
     *
     * @param maxFrameSize the largest frame accepted, prefix excluded
     * @return the framing
     * @throws IllegalArgumentException if {@code maxFrameSize} is negative
     */
    public static LengthPrefixFraming pythonStructI(int maxFrameSize) {
        return new LengthPrefixFraming(4, ByteOrder.LITTLE_ENDIAN, maxFrameSize);
    }

    /**
     * Returns the width of the length prefix.
     *
     * @return the prefix width in bytes: 1, 2, 4 or 8
     */
    public int width() {
        return width;
    }

    /**
     * Returns the byte order of the length prefix.
     *
     * @return the prefix byte order
     */
    public ByteOrder order() {
        return order;
    }

    /**
     * Returns the largest frame accepted, prefix excluded: the maximum given at construction, or
     * 255 or 65535 when a 1 or 2-byte prefix cannot describe that many bytes.
     */
    @Override
    public int maxFrameSize() {
        return maxFrameSize;
    }

    /**
     * Returns a new decoder. Each frame, prefix excluded, is a slice of the input when the whole body
     * arrived in one input, and a view of the decoder's own buffer otherwise.
     */
    @Override
    public FrameDecoder<ByteBuffer> newDecoder() {
        return new Decoder();
    }

    /**
     * Returns a new prefix holding the payload's length, and the payload.
     *
     * @throws FrameTooLargeException if the payload exceeds the maximum frame size
     */
    @Override
    public ByteBuffer[] encode(ByteBuffer payload) throws FrameTooLargeException {
        int size = payload.remaining();
        if (size > maxFrameSize) {
            throw new FrameTooLargeException("length-prefixed frame", size, maxFrameSize);
        }
        ByteBuffer prefix = ByteBuffer.allocate(width).order(order);
        switch (width) {
            case 1 -> prefix.put((byte) size);
            case 2 -> prefix.putShort((short) size);
            case 4 -> prefix.putInt(size);
            default -> prefix.putLong(size);
        }
        return new ByteBuffer[] {prefix.flip(), payload.duplicate()};
    }

    /** The length in the {@code width} bytes of {@code src} at {@code index}, signed or not as the width says. */
    private long lengthAt(ByteBuffer src, int index) {
        long value = 0;
        if (order == ByteOrder.BIG_ENDIAN) {
            for (int i = 0; i < width; i++) {
                value = (value << 8) | (src.get(index + i) & 0xFF);
            }
        } else {
            for (int i = width - 1; i >= 0; i--) {
                value = (value << 8) | (src.get(index + i) & 0xFF);
            }
        }
        // Eight bytes fill the long, sign included; four need their sign extended.
        return width == 4 ? (int) value : value;
    }

    private int checkedLength(long length) throws FramingException {
        if (length < 0) {
            throw new MalformedFrameException("length prefix declares a negative frame length of " + length
                    + "; the peer is not sending " + width + "-byte " + order
                    + " length-prefixed frames, so check the prefix width and byte order on both sides");
        }
        if (length > maxFrameSize) {
            throw new FrameTooLargeException("length-prefixed frame", length, maxFrameSize);
        }
        return (int) length;
    }

    @Override
    public String toString() {
        return "LengthPrefixFraming[width=" + width + ", order=" + order + ", maxFrameSize=" + maxFrameSize + "]";
    }

    private final class Decoder implements FrameDecoder<ByteBuffer> {

        // Holds a prefix split across inputs; a prefix that arrives whole is read from the input.
        private final ByteBuffer prefix = ByteBuffer.allocate(8);
        private final PendingBytes body = new PendingBytes();
        // Negative until the current frame's prefix is complete.
        private int bodyLength = -1;

        @Override
        public ByteBuffer decode(ByteBuffer in) throws FramingException {
            if (bodyLength < 0 && !readPrefix(in)) {
                return null;
            }
            int start = in.position();
            if (body.length() == 0 && in.remaining() >= bodyLength) {
                ByteBuffer frame = in.slice(start, bodyLength);
                in.position(start + bodyLength);
                bodyLength = -1;
                return frame;
            }
            int n = Math.min(bodyLength - body.length(), in.remaining());
            body.append(in, n, bodyLength);
            if (body.length() < bodyLength) {
                return null;
            }
            bodyLength = -1;
            return body.take(body.length());
        }

        /** Reads as much of the prefix as {@code in} holds; true once the prefix is complete and valid. */
        private boolean readPrefix(ByteBuffer in) throws FramingException {
            long length;
            if (prefix.position() == 0 && in.remaining() >= width) {
                length = lengthAt(in, in.position());
                in.position(in.position() + width);
            } else {
                while (prefix.position() < width && in.hasRemaining()) {
                    prefix.put(in.get());
                }
                if (prefix.position() < width) {
                    return false;
                }
                length = lengthAt(prefix, 0);
                prefix.clear();
            }
            bodyLength = checkedLength(length);
            return true;
        }

        @Override
        public ByteBuffer endOfInput() throws TruncatedFrameException {
            if (bodyLength >= 0) {
                throw new TruncatedFrameException("length-prefixed frame", (long) width + body.length());
            }
            if (prefix.position() > 0) {
                throw new TruncatedFrameException("length-prefixed frame", prefix.position());
            }
            return null;
        }

        @Override
        public int buffered() {
            return bodyLength < 0 ? prefix.position() : body.length();
        }
    }
}
