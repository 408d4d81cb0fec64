package dev.spindle.codec;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Frames that end in a delimiter of one or more bytes, as Python's {@code data.split(b'\0')} cuts
 * them. The delimiter is not part of the frame. Made by {@link Framing#delimited(byte[], int)}.
 *
 * <p>A delimiter split across two inputs is still found, and every input byte is examined once
 * however the stream is split. The maximum frame size excludes the delimiter; a frame over it
 * raises {@link FrameTooLargeException} as soon as more bytes than that have arrived that cannot
 * all be the start of a delimiter, without waiting for the delimiter.
 *
 * <p>Input that ends part-way through a frame raises {@link TruncatedFrameException}: unlike a
 * line, a delimited frame is not complete without its delimiter.
 *
 * <p>This class is immutable and sharable; its decoders are not.
 */
public final class DelimiterFraming implements Framing {

    private final byte[] delimiter;
    private final ByteBuffer delimiterBuffer;
    // border[k] is the length of the longest proper prefix of delimiter[0, k) that is also its
    // suffix: where a partial match falls back to on a mismatch, so no input byte is re-read
    // (Knuth-Morris-Pratt).
    private final int[] border;
    private final int maxFrameSize;

    /**
     * @throws NullPointerException     if {@code delimiter} is null
     * @throws IllegalArgumentException if {@code delimiter} is empty or {@code maxFrameSize} is negative
     */
    DelimiterFraming(byte[] delimiter, int maxFrameSize) {
        Objects.requireNonNull(delimiter, "delimiter");
        if (delimiter.length == 0) {
            throw new IllegalArgumentException("the delimiter must be at least one byte long");
        }
        if (maxFrameSize < 0) {
            throw new IllegalArgumentException("the maximum frame size must not be negative, got " + maxFrameSize);
        }
        this.delimiter = delimiter.clone();
        this.delimiterBuffer = ByteBuffer.wrap(this.delimiter).asReadOnlyBuffer();
        this.border = borders(this.delimiter);
        this.maxFrameSize = maxFrameSize;
    }

    private static int[] borders(byte[] pattern) {
        int[] border = new int[pattern.length + 1];
        int k = 0;
        for (int i = 1; i < pattern.length; i++) {
            while (k > 0 && pattern[i] != pattern[k]) {
                k = border[k];
            }
            if (pattern[i] == pattern[k]) {
                k++;
            }
            border[i + 1] = k;
        }
        return border;
    }

    /** How much of the delimiter is matched after {@code b}, given {@code matched} bytes matched before it. */
    private int advance(int matched, byte b) {
        while (matched > 0 && delimiter[matched] != b) {
            matched = border[matched];
        }
        return delimiter[matched] == b ? matched + 1 : 0;
    }

    /**
     * Returns the delimiter.
     *
     * @return a copy of the delimiter
     */
    public byte[] delimiter() {
        return delimiter.clone();
    }

    /**
     * Returns a new decoder. Its frames exclude the delimiter; each is a slice of the input when the
     * whole frame arrived in one input, and a view of the decoder's own buffer otherwise.
     */
    @Override
    public FrameDecoder<ByteBuffer> newDecoder() {
        return new Decoder(new PendingBytes());
    }

    /** A decoder that keeps unfinished frames in {@code pending}, for tests that count its work. */
    FrameDecoder<ByteBuffer> newDecoder(PendingBytes pending) {
        return new Decoder(pending);
    }

    /**
     * Returns the payload followed by the delimiter.
     *
     * @throws FrameTooLargeException  if the payload exceeds the maximum frame size
     * @throws MalformedFrameException if the delimiter occurs in the payload, or in the payload
     *     followed by the delimiter anywhere before the appended one, so that the receiver would cut
     *     the frame short
     */
    @Override
    public ByteBuffer[] encode(ByteBuffer payload) throws FramingException {
        int size = payload.remaining();
        if (size > maxFrameSize) {
            throw new FrameTooLargeException("delimited frame", size, maxFrameSize);
        }
        int start = payload.position();
        int matched = 0;
        for (int i = 0; i < size; i++) {
            matched = advance(matched, payload.get(start + i));
            if (matched == delimiter.length) {
                throw containsDelimiter(i + 1 - delimiter.length);
            }
        }
        // "ab" before the delimiter "aba" sends "ababa", which the receiver cuts after "".
        for (int i = 0; i < delimiter.length - 1; i++) {
            matched = advance(matched, delimiter[i]);
            if (matched == delimiter.length) {
                throw containsDelimiter(size + i + 1 - delimiter.length);
            }
        }
        return new ByteBuffer[] {payload.duplicate(), delimiterBuffer.duplicate()};
    }

    private MalformedFrameException containsDelimiter(int offset) {
        return new MalformedFrameException("delimited payload contains the delimiter "
                + HexFormat.ofDelimiter(" ").formatHex(delimiter) + " starting at offset " + offset
                + " (counting the delimiter appended after it); escape it or use a length-prefixed framing for"
                + " arbitrary bytes");
    }

    /** Returns the maximum frame size, delimiter excluded. */
    @Override
    public int maxFrameSize() {
        return maxFrameSize;
    }

    @Override
    public String toString() {
        return "DelimiterFraming[delimiter=" + HexFormat.of().formatHex(delimiter) + ", maxFrameSize="
                + maxFrameSize + "]";
    }

    private final class Decoder implements FrameDecoder<ByteBuffer> {

        // Every pending byte has been scanned; matched is how many of its last bytes are a start of
        // the delimiter, so a scan resumes with the next input byte and never re-reads these.
        private final PendingBytes pending;
        private int matched;

        Decoder(PendingBytes pending) {
            this.pending = pending;
        }

        @Override
        public ByteBuffer decode(ByteBuffer in) throws FrameTooLargeException {
            if (!in.hasRemaining()) {
                return null;
            }
            int start = in.position();
            int have = pending.length();
            // A longest frame and its delimiter: a frame with no delimiter ending within that many
            // bytes is too large whatever follows, so looking further would be wasted work.
            int window = (int) Math.min(in.remaining(), (long) maxFrameSize + delimiter.length - have);
            int end = start + window;
            int m = matched;
            for (int i = start; i < end; i++) {
                m = advance(m, in.get(i));
                if (m == delimiter.length) {
                    matched = 0;
                    return completeFrame(in, start, i + 1);
                }
            }
            matched = m;
            // The last m bytes may yet be a delimiter; the bytes before them are frame for certain.
            long frameSoFar = (long) have + window - m;
            if (frameSoFar > maxFrameSize) {
                throw new FrameTooLargeException("delimited frame", frameSoFar, maxFrameSize);
            }
            pending.append(in, window, (long) maxFrameSize + delimiter.length - 1);
            return null;
        }

        private ByteBuffer completeFrame(ByteBuffer in, int start, int afterDelimiter) {
            int have = pending.length();
            int length = have + (afterDelimiter - start) - delimiter.length;
            if (have == 0) {
                ByteBuffer frame = in.slice(start, length);
                in.position(afterDelimiter);
                return frame;
            }
            // The delimiter may have begun among the pending bytes, leaving none of this input in the frame.
            if (length > have) {
                pending.append(in, length - have, (long) maxFrameSize + delimiter.length - 1);
            }
            in.position(afterDelimiter);
            return pending.take(length);
        }

        @Override
        public ByteBuffer endOfInput() throws TruncatedFrameException {
            if (pending.length() > 0) {
                throw new TruncatedFrameException("delimited frame", pending.length());
            }
            return null;
        }

        @Override
        public int buffered() {
            return pending.length();
        }
    }
}
