package dev.spindle.codec;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The bytes of one unfinished frame that a decoder keeps between inputs, because the caller may
 * reuse its input buffer as soon as {@code decode} returns.
 *
 * <p>Only the slow path uses this: a frame that lies wholly inside one input is returned as a slice
 * of that input and never copied here.
 */
final class PendingBytes {

    // Small enough that a connection holding a few stray bytes costs little, large enough that a
    // short frame split across two reads grows at most once.
    private static final int INITIAL_CAPACITY = 256;

    // A connection that once received a large frame should not keep its size for life.
    private static final int RETAINED_CAPACITY = 64 * 1024;

    // The JDK's own bound for array lengths (see ArraysSupport.SOFT_MAX_ARRAY_LENGTH).
    private static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private static final byte[] NONE = new byte[0];

    private byte[] bytes = NONE;
    private int length;
    private long bytesMoved;

    /** How many bytes are held. */
    int length() {
        return length;
    }

    /** The byte at {@code index}, which must be less than {@link #length()}. */
    byte byteAt(int index) {
        bytesMoved++;
        return bytes[index];
    }

    /**
     * How many bytes this instance has copied in, copied again while growing, or read back with
     * {@link #byteAt} since it was made: the work a decoder did on the bytes it keeps, which the
     * tests count to show that a frame arriving a byte at a time costs linear, not quadratic, work.
     */
    long bytesMoved() {
        return bytesMoved;
    }

    /**
     * Moves {@code n} bytes from {@code src}, starting at its position, to the end of the held bytes
     * and advances {@code src} past them. Capacity grows geometrically so that a frame arriving one
     * byte at a time costs linear time, but never past {@code limit}: the caller's bound on the
     * frame it is assembling, which {@code length() + n} must not exceed.
     */
    void append(ByteBuffer src, int n, long limit) {
        int required = length + n;
        if (required > bytes.length) {
            long doubled = Math.max(2L * bytes.length, INITIAL_CAPACITY);
            long capacity = Math.max(required, Math.min(doubled, Math.min(limit, MAX_ARRAY_LENGTH)));
            bytes = Arrays.copyOf(bytes, (int) capacity);
            bytesMoved += length;
        }
        src.get(bytes, length, n);
        length = required;
        bytesMoved += n;
    }

    /**
     * Returns a view of the first {@code n} held bytes and forgets every held byte. The view stays
     * valid until the next {@link #append}, which is what {@link FrameDecoder} promises its callers.
     */
    ByteBuffer take(int n) {
        ByteBuffer view = ByteBuffer.wrap(bytes, 0, n).slice();
        length = 0;
        if (bytes.length > RETAINED_CAPACITY) {
            // The view keeps the large array alive for as long as the caller needs it.
            bytes = NONE;
        }
        return view;
    }
}
