package dev.spindle.net;

import dev.spindle.codec.FrameDecoder;
import dev.spindle.codec.Framing;
import dev.spindle.codec.FramingException;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A {@link Protocol} that receives whole frames of a {@link Framing} instead of raw bytes: the
 * same serializers the blocking {@link Connection#readFrame()} uses, fed incrementally.
 *
 * <p>A framing error ({@link FramingException}) closes the connection and is counted as its error.
 * At end of stream a last unterminated frame the framing accepts (a last line without its
 * newline) is delivered before the connection closes.
 *
 * <p>On a server, the bytes the decoder holds for an unfinished frame count against the server's
 * {@link StreamServerBuilder#inputBudget(long) input budget}; a connection that would take it
 * past the budget ends with {@link InputBudgetExceededException}.
 *
 * <p>Not sharable: it holds one connection's decoder. Give the server a factory.
 */
public abstract class FramingProtocol implements Protocol {

    private final Framing framing;
    private final FrameDecoder<ByteBuffer> decoder;
    private Transport transport;
    private InputBudget.Account account = InputBudget.Account.UNCHARGED;

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
        if (transport instanceof InputAccounted accounted) {
            this.account = accounted.inputAccount();
        }
    }

    @Override
    public final void dataReceived(ByteBuffer data) throws Exception {
        ByteBuffer frame;
        while ((frame = account.decode(decoder, data)) != null) {
            frameReceived(frame);
        }
    }

    @Override
    public boolean eofReceived() throws Exception {
        ByteBuffer last = account.endOfInput(decoder);
        if (last != null) {
            frameReceived(last);
        }
        return false;
    }
}
