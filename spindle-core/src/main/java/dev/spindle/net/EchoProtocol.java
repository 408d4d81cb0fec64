package dev.spindle.net;

import dev.spindle.codec.Framing;

import java.nio.ByteBuffer;

/**
 * The seeds' echo server as a {@link Protocol}: every byte back as it came, or upper-cased as
 * Python's {@code bytes.upper()} does (ASCII letters only). The same object runs under every
 * model, and is the protocol every row of the benchmark table measures.
 *
 * <p>It honours back-pressure: when its transport becomes unwritable (a client that sends but
 * does not read) it stops reading until the transport drains, so the server's memory for the
 * connection stays near the high water mark.
 *
 * <p>Not sharable: give the server {@code EchoProtocol::new} or another factory.
 */
public final class EchoProtocol implements Protocol {

    private final boolean upperCase;
    private Transport transport;

    /** Echoes bytes unchanged. */
    public EchoProtocol() {
        this(false);
    }

    /** Echoes bytes, ASCII letters upper-cased when {@code upperCase}. */
    public EchoProtocol(boolean upperCase) {
        this.upperCase = upperCase;
    }

    /** Echoes each frame of {@code framing} as a frame, upper-cased when {@code upperCase}. */
    public static Protocol framed(Framing framing, boolean upperCase) {
        return new FramingProtocol(framing) {
            @Override
            protected void frameReceived(ByteBuffer frame) throws Exception {
                if (upperCase) {
                    upperCaseAscii(frame);
                }
                sendFrame(frame);
                pauseWhileUnwritable(transport());
            }

            @Override
            public void writabilityChanged(boolean writable) {
                if (writable) {
                    transport().resumeReading();
                }
            }
        };
    }

    @Override
    public void connectionMade(Transport transport) {
        this.transport = transport;
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        if (upperCase) {
            upperCaseAscii(data);
        }
        transport.write(data);
        pauseWhileUnwritable(transport);
    }

    @Override
    public void writabilityChanged(boolean writable) {
        if (writable) {
            transport.resumeReading();
        }
    }

    private static void pauseWhileUnwritable(Transport transport) {
        if (!transport.isWritable()) {
            transport.pauseReading();
        }
    }

    /** Upper-cases ASCII letters between position and limit, in place. */
    static void upperCaseAscii(ByteBuffer data) {
        for (int i = data.position(); i < data.limit(); i++) {
            byte b = data.get(i);
            if (b >= 'a' && b <= 'z') {
                data.put(i, (byte) (b - ('a' - 'A')));
            }
        }
    }
}
