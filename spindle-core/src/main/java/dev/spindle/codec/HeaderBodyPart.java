package dev.spindle.codec;

import java.nio.ByteBuffer;

/**
 * One part of a message decoded by {@link HeaderBodyFraming}: for every message the decoder returns
 * one {@link Header}, then one or more {@link Body} parts, the last of them marked
 * {@link Body#last() last}. A message with an empty body has a single empty last {@code Body}.
 *
 * <p>Switch over the two records to handle a part:
 * <pre>{@code
 * switch (part) {
 *     case HeaderBodyPart.Header<FileHeader>(var header, var length) -> open(header.name(), length);
 *     case HeaderBodyPart.Body<FileHeader>(var chunk, var last) -> {
 *         out.write(chunk);
 *         if (last) close();
 *     }
 * }
 * }</pre>
 *
 * @param <H> what the header parser makes of a header
 */
public sealed interface HeaderBodyPart<H> {

    /**
     * The parsed header of a message, returned before any of its body.
     *
     * @param header     what the {@link HeaderParser} made of the header bytes
     * @param bodyLength how many body bytes follow, as the header declared them
     * @param <H>        what the header parser makes of a header
     */
    record Header<H>(H header, long bodyLength) implements HeaderBodyPart<H> {
    }

    /**
     * A piece of a message body, in the order the bytes arrived.
     *
     * <p>The chunk is a view of the decoder's input, not a copy: it is valid only until the next
     * call on the decoder or the next change to the input buffer, so write it out or copy it first.
     *
     * @param chunk the body bytes between position and limit; empty only for an empty body
     * @param last  whether this is the message's final chunk
     * @param <H>   what the header parser makes of a header
     */
    record Body<H>(ByteBuffer chunk, boolean last) implements HeaderBodyPart<H> {
    }
}
