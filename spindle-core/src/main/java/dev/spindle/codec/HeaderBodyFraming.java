package dev.spindle.codec;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * Messages made of a length-prefixed header followed by a raw body whose length the header gives,
 * such as a file transfer that sends {@code struct.pack('i', len(meta)) + meta} and then the file.
 *
 * <p>The decoder hands each header's bytes to a {@link HeaderParser}, asks a
 * {@link ToLongFunction} for the body length, and then streams the body as
 * {@link HeaderBodyPart.Body} chunks sliced from its input: the body is never buffered, so a 1 GiB
 * file costs no more memory than a 1 KiB one. See {@link HeaderBodyPart} for the order of parts.
 *
 * <p>The decoder raises {@link MalformedFrameException} when the parser or the body-length function
 * rejects a header or the body length is negative, {@link FrameTooLargeException} when a header or
 * a declared body length is over its maximum (before any of it is read), and
 * {@link TruncatedFrameException} when the input ends part-way through a message.
 *
 * <p>This class is immutable and sharable, provided the parser and body-length function are; its
 * decoders are not.
 *
 * @param <H> what the header parser makes of a header
 */
public final class HeaderBodyFraming<H> {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final LengthPrefixFraming headerFraming;
    private final HeaderParser<H> parser;
    private final ToLongFunction<? super H> bodyLength;
    private final long maxBodyLength;

    private HeaderBodyFraming(LengthPrefixFraming headerFraming, HeaderParser<H> parser,
            ToLongFunction<? super H> bodyLength, long maxBodyLength) {
        this.headerFraming = headerFraming;
        this.parser = parser;
        this.bodyLength = bodyLength;
        this.maxBodyLength = maxBodyLength;
    }

    /**
     * Returns a framing whose headers are framed by {@code headerFraming}, parsed by {@code parser}
     * and declare a body of {@code bodyLength} bytes.
     *
     * @param headerFraming how each header is framed, such as
     *     {@link LengthPrefixFraming#pythonStructI(int) pythonStructI(64 * 1024)}; its maximum bounds the header
     * @param parser        turns header bytes into a header
     * @param bodyLength    the body length a parsed header declares
     * @param maxBodyLength the largest body accepted
     * @param <H>           what the header parser makes of a header
     * @return the framing
     * @throws NullPointerException     if any argument is null
     * @throws IllegalArgumentException if {@code maxBodyLength} is negative
     */
    public static <H> HeaderBodyFraming<H> of(LengthPrefixFraming headerFraming, HeaderParser<H> parser,
            ToLongFunction<? super H> bodyLength, long maxBodyLength) {
        Objects.requireNonNull(headerFraming, "headerFraming");
        Objects.requireNonNull(parser, "parser");
        Objects.requireNonNull(bodyLength, "bodyLength");
        if (maxBodyLength < 0) {
            throw new IllegalArgumentException("the maximum body length must not be negative, got " + maxBodyLength);
        }
        return new HeaderBodyFraming<>(headerFraming, parser, bodyLength, maxBodyLength);
    }

    /**
     * Returns how each header is framed.
     *
     * @return the header framing
     */
    public LengthPrefixFraming headerFraming() {
        return headerFraming;
    }

    /**
     * Returns the largest body accepted.
     *
     * @return the maximum body length in bytes
     */
    public long maxBodyLength() {
        return maxBodyLength;
    }

    /**
     * Returns a fresh decoder for one connection.
     *
     * @return a new decoder
     */
    public FrameDecoder<HeaderBodyPart<H>> newDecoder() {
        return new Decoder();
    }

    /**
     * Frames a header for sending; write the body's bytes, exactly as many as the header declares,
     * right after the returned buffers.
     *
     * @param headerBytes the header's bytes between position and limit; not modified
     * @return the buffers to write in order
     * @throws FrameTooLargeException if the header exceeds the header framing's maximum
     */
    public ByteBuffer[] encodeHeader(ByteBuffer headerBytes) throws FrameTooLargeException {
        return headerFraming.encode(headerBytes);
    }

    @Override
    public String toString() {
        return "HeaderBodyFraming[headerFraming=" + headerFraming + ", maxBodyLength=" + maxBodyLength + "]";
    }

    private H parse(ByteBuffer headerBytes) throws MalformedFrameException {
        H header;
        try {
            header = parser.parse(headerBytes);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                // The exception is reported, not the interrupt: keep it for the caller's loop to see.
                Thread.currentThread().interrupt();
            }
            throw rejected(e);
        }
        if (header == null) {
            throw new MalformedFrameException(
                    "header rejected: the header parser returned null; a HeaderParser must return a header or throw");
        }
        return header;
    }

    private long bodyLengthOf(H header) throws FramingException {
        long length;
        try {
            length = bodyLength.applyAsLong(header);
        } catch (RuntimeException e) {
            throw rejected(e);
        }
        if (length < 0) {
            throw new MalformedFrameException("header declares a negative body length of " + length
                    + "; the peer sent a broken header, so close the connection");
        }
        if (length > maxBodyLength) {
            throw new FrameTooLargeException("message body", length, maxBodyLength);
        }
        return length;
    }

    private static MalformedFrameException rejected(Exception cause) {
        String reason = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getName();
        return new MalformedFrameException("header rejected: " + reason, cause);
    }

    private final class Decoder implements FrameDecoder<HeaderBodyPart<H>> {

        private final FrameDecoder<ByteBuffer> headers = headerFraming.newDecoder();
        // Negative between messages, that is while a header is awaited.
        private long declared = -1;
        private long remaining;

        @Override
        public HeaderBodyPart<H> decode(ByteBuffer in) throws FramingException {
            if (declared < 0) {
                ByteBuffer headerBytes = headers.decode(in);
                if (headerBytes == null) {
                    return null;
                }
                H header = parse(headerBytes);
                long length = bodyLengthOf(header);
                declared = length;
                remaining = length;
                return new HeaderBodyPart.Header<>(header, length);
            }
            // An empty body still yields its one last chunk, even from empty input.
            if (remaining > 0 && !in.hasRemaining()) {
                return null;
            }
            int start = in.position();
            int n = (int) Math.min(remaining, in.remaining());
            ByteBuffer chunk = in.slice(start, n);
            in.position(start + n);
            remaining -= n;
            boolean last = remaining == 0;
            if (last) {
                declared = -1;
            }
            return new HeaderBodyPart.Body<>(chunk, last);
        }

        /**
         * Returns the last, empty, body chunk of an empty body not yet returned by {@link #decode},
         * or {@code null}.
         *
         * @throws TruncatedFrameException if the input ended part-way through a header or a body
         */
        @Override
        public HeaderBodyPart<H> endOfInput() throws FramingException {
            if (declared < 0) {
                headers.endOfInput();
                return null;
            }
            if (remaining > 0) {
                throw new TruncatedFrameException("message body", declared - remaining);
            }
            declared = -1;
            return new HeaderBodyPart.Body<>(EMPTY.duplicate(), true);
        }

        /** Returns the bytes of an unfinished header held; body bytes are never held. */
        @Override
        public int buffered() {
            return declared < 0 ? headers.buffered() : 0;
        }
    }
}
