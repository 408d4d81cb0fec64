package dev.spindle.codec;

import java.nio.ByteBuffer;
import java.util.function.IntUnaryOperator;

/**
 * Counts the work a decoder does on the bytes it keeps between inputs ({@link PendingBytes#bytesMoved()}),
 * so that "a frame arriving a byte at a time costs linear time" is checked by counting, not by a
 * clock: copying each byte in once, and growing by doubling, moves fewer than three bytes per byte
 * fed; a decoder that rescans what it holds, or grows it by a constant step, moves a number that
 * grows with the square of the bytes fed and crosses the bound within the first few thousand.
 */
final class LinearWork {

    /** The bound on bytes moved per byte fed: one copy in, fewer than two in growth copies, and a little slack. */
    static final long MOVES_PER_BYTE = 4;

    private LinearWork() {
    }

    /**
     * Feeds {@code n} bytes, byte {@code i} being {@code byteAt.applyAsInt(i)}, one per input, and
     * fails as soon as decode returns a frame or the work on the pending bytes exceeds
     * {@link #MOVES_PER_BYTE} per byte fed so far.
     */
    static void feedOneByteAtATime(FrameDecoder<ByteBuffer> decoder, PendingBytes pending, int n,
            IntUnaryOperator byteAt) throws FramingException {
        ByteBuffer in = ByteBuffer.allocate(1);
        for (int i = 0; i < n; i++) {
            in.clear();
            if (decoder.decode(in.put(0, (byte) byteAt.applyAsInt(i))) != null) {
                throw new AssertionError("a frame after " + (i + 1) + " bytes, before its end");
            }
            assertLinear(pending, i + 1L);
        }
    }

    /** Fails if {@code pending} has moved more than {@link #MOVES_PER_BYTE} bytes per byte of the {@code fed}. */
    static void assertLinear(PendingBytes pending, long fed) {
        if (pending.bytesMoved() > MOVES_PER_BYTE * fed) {
            throw new AssertionError("after " + fed + " bytes fed, the decoder had moved " + pending.bytesMoved()
                    + " bytes of its pending frame, more than " + MOVES_PER_BYTE + " per byte: its work is not linear");
        }
    }
}
