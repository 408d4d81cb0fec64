package dev.spindle.codec;

import java.nio.ByteBuffer;

/**
 * Frames that end in {@code \n}, as Python's {@code rfile.readline()} reads them. A {@code \r}
 * right before the {@code \n} is dropped, so {@code \r\n} peers work too; neither is part of the
 * frame. Made by {@link Framing#lines(int)}.
 *
 * <p>The maximum length counts the line without its terminator. A line over it raises
 * {@link FrameTooLargeException} as soon as more bytes than that have arrived without a
 * {@code \n} (one more is allowed when it is a {@code \r}, which may turn out to be half of a
 * {@code \r\n}), so a peer that never sends a newline costs at most the maximum in memory.
 *
 * <p>When the input ends after an unterminated last line, {@link FrameDecoder#endOfInput()} returns
 * it, as {@code readline()} does; a {@code \r} at its end is kept, since no {@code \n} followed it.
 *
 * <p>This class is immutable and sharable; its decoders are not.
 */
public final class LineFraming implements Framing {

    private static final ByteBuffer NEWLINE = ByteBuffer.wrap(new byte[] {'\n'}).asReadOnlyBuffer();

    private final int maxLength;

    /**
     * @throws IllegalArgumentException if {@code maxLength} is negative
     */
    LineFraming(int maxLength) {
        if (maxLength < 0) {
            throw new IllegalArgumentException("the maximum line length must not be negative, got " + maxLength);
        }
        this.maxLength = maxLength;
    }

    /**
     * Returns a new decoder. Its frames exclude the terminator; each is a slice of the input when the
     * whole line arrived in one input, and a view of the decoder's own buffer otherwise.
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
     * Returns the payload followed by {@code \n}.
     *
     * @throws FrameTooLargeException  if the payload is longer than the maximum line length
     * @throws MalformedFrameException if the payload contains {@code \n}, or ends in {@code \r},
     *     which the decoder would take for half of a {@code \r\n} terminator and drop
     */
    @Override
    public ByteBuffer[] encode(ByteBuffer payload) throws FramingException {
        int size = payload.remaining();
        if (size > maxLength) {
            throw new FrameTooLargeException("line", size, maxLength);
        }
        int start = payload.position();
        for (int i = 0; i < size; i++) {
            if (payload.get(start + i) == '\n') {
                throw new MalformedFrameException("line payload contains '\\n' at offset " + i
                        + "; a line cannot hold its own terminator, so split it into several lines or use a"
                        + " length-prefixed framing for binary data");
            }
        }
        if (size > 0 && payload.get(start + size - 1) == '\r') {
            throw new MalformedFrameException("line payload ends in '\\r', which the receiver would drop as part of a"
                    + " \"\\r\\n\" terminator; strip it or use a length-prefixed framing for binary data");
        }
        return new ByteBuffer[] {payload.duplicate(), NEWLINE.duplicate()};
    }

    /** Returns the maximum line length, terminator excluded. */
    @Override
    public int maxFrameSize() {
        return maxLength;
    }

    @Override
    public String toString() {
        return "LineFraming[maxLength=" + maxLength + "]";
    }

    private final class Decoder implements FrameDecoder<ByteBuffer> {

        // Every pending byte has already been scanned and holds no '\n', so a scan resumes at the
        // start of the next input and a line arriving one byte at a time costs linear time.
        private final PendingBytes pending;

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
            // Room for a longest line, a '\r' and the '\n': a line with no '\n' within that many
            // bytes is too long whatever follows, so looking further would be wasted work.
            int window = (int) Math.min(in.remaining(), maxLength + 2L - have);
            int end = start + window;
            for (int i = start; i < end; i++) {
                if (in.get(i) == '\n') {
                    return completeLine(in, start, i);
                }
            }
            long seen = (long) have + window;
            if (seen > maxLength + 1L || (seen == maxLength + 1L && in.get(end - 1) != '\r')) {
                throw new FrameTooLargeException("line", seen, maxLength);
            }
            pending.append(in, window, maxLength + 1L);
            return null;
        }

        private ByteBuffer completeLine(ByteBuffer in, int start, int newline) throws FrameTooLargeException {
            if (pending.length() == 0) {
                int length = newline - start;
                if (length > 0 && in.get(newline - 1) == '\r') {
                    length--;
                }
                checkLength(length);
                ByteBuffer line = in.slice(start, length);
                in.position(newline + 1);
                return line;
            }
            pending.append(in, newline - start, maxLength + 1L);
            in.position(newline + 1);
            int length = pending.length();
            if (pending.byteAt(length - 1) == '\r') {
                length--;
            }
            checkLength(length);
            return pending.take(length);
        }

        private void checkLength(int length) throws FrameTooLargeException {
            if (length > maxLength) {
                throw new FrameTooLargeException("line", length, maxLength);
            }
        }

        @Override
        public ByteBuffer endOfInput() throws FrameTooLargeException {
            int length = pending.length();
            if (length == 0) {
                return null;
            }
            // Only a kept trailing '\r' can take a pending line over the maximum.
            checkLength(length);
            return pending.take(length);
        }

        @Override
        public int buffered() {
            return pending.length();
        }
    }
}
