package dev.spindle.net;

import dev.spindle.codec.FrameDecoder;
import dev.spindle.codec.Framing;
import dev.spindle.codec.FramingException;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A {@link Protocol} that receives whole frames of a {@link Framing} instead of raw bytes: the
 * same codecs the blocking {@link Connection#readFrame()} uses, fed incrementally.
 *
 * <p>A framing error ({@link FramingException}) closes the connection and is counted as its error.
 * At end of stream a last unterminated frame the framing accepts (a last line without its
 * newline) is delivered before the connection closes.
 *
 * <p>Not sharable: it holds one connection's decoder. Give the server a factory.
 */
public abstract class FramingProtocol implements Protocol {

    private final Framing framing;
    private final FrameDecoder<ByteBuffer> decoder;
    private Transport transport;

    protected FramingProtocol(Framing framing) {
        this.framing = Objects.requireNonNull(framing, "framing");
        this.decoder = framing.newDecoder();
    }

    /** Called with each complete frame; the buffer is valid only during the call. */
    protected abstract void frameReceived(ByteBuffer frame) throws Exception;

    /** This connection's transport, once {@link #connectionMade} has run. */
    protected final Transport transport() {
        return transport;
    }

    /**
     * Frames {@code payload} and writes it.
     *
     * @throws FramingException when the payload cannot be framed (too large, or holds a terminator)
     */
    protected final void sendFrame(ByteBuffer payload) throws FramingException {
        transport.write(framing.encode(payload));
    }

    @Override
    public void connectionMade(Transport transport) {
        this.transport = transport;
    }

    @Override
    public final void dataReceived(ByteBuffer data) throws Exception {
        ByteBuffer frame;
        while ((frame = decoder.decode(data)) != null) {
            frameReceived(frame);
        }
    }

    @Override
    public boolean eofReceived() throws Exception {
        ByteBuffer last = decoder.endOfInput();
        if (last != null) {
            frameReceived(last);
        }
        return false;
    }
}
