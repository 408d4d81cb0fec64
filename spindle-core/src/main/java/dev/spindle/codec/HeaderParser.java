package dev.spindle.codec;

import java.nio.ByteBuffer;

/**
 * Turns the bytes of a message header into the caller's header type, for {@link HeaderBodyFraming}.
 *
 * <p>A parser is called on the decoding thread and should be free of side effects; the same parser
 * serves every connection of a {@link HeaderBodyFraming}, so it must be safe to call from several
 * threads at once.
 *
 * @param <H> what a header parses to
 */
@FunctionalInterface
public interface HeaderParser<H> {

    /**
     * Parses one header.
     *
     * @param header the header's bytes between position and limit, length prefix excluded; a view
     *     that is valid only during this call, so copy whatever the result must keep
     * @return the parsed header, never {@code null}
     * @throws Exception when the bytes are not a valid header; the decoder reports it as a
     *     {@link MalformedFrameException} with this exception as its cause
     */
    H parse(ByteBuffer header) throws Exception;
}
