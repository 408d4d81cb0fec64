package dev.spindle.process;

import java.io.IOException;

/**
 * How objects cross between processes: pickle's place. Every process-to-process channel uses one
 * serializer, and only after its peer has authenticated ({@link Handshake}). Raw bytes bypass it.
 *
 * <p>Implementations must be thread-safe and must never instantiate a class their policy does not
 * allow: decoding is the attack surface of a channel.
 */
public interface Serializer {

    /**
     * Encodes {@code value}.
     *
     * @throws java.io.NotSerializableException when the value (or something it holds) cannot be encoded
     */
    byte[] encode(Object value) throws IOException;

    /**
     * Decodes what {@link #encode} made.
     *
     * @throws ClassNotAllowedException when the bytes name a class the serializer's policy refuses
     * @throws IOException when the bytes are not a valid encoding
     */
    Object decode(byte[] bytes) throws IOException;
}
