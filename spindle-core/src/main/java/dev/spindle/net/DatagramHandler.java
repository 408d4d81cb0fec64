package dev.spindle.net;

/**
 * What a {@link DatagramServer} does with each datagram it receives: socketserver's
 * {@code DatagramRequestHandler.handle()}, whose request is the {@code (data, socket)} pair. Here
 * the pair is a {@link Datagram}: its bytes, its sender, and {@link Datagram#reply(byte[])}.
 *
 * <pre>{@code
 * DatagramHandler upper = datagram -> datagram.reply(new String(datagram.data()).toUpperCase().getBytes());
 * }</pre>
 *
 * <p><b>Shared.</b> One handler serves every datagram, under the blocking models on many threads
 * at once: keep state in the datagram or guard it. Under {@link Model#SYNC} and the event-loop
 * model it runs on the receiving thread, so a handler that blocks there stops receiving.
 *
 * <p>An exception thrown here is counted in {@link DatagramStats#errors()} and reported to the
 * server's error hook; the server goes on receiving.
 */
@FunctionalInterface
public interface DatagramHandler {

    /** Handles one datagram. */
    void handle(Datagram datagram) throws Exception;

    /**
     * The seeds' UDP echo server: every datagram back to its sender, ASCII letters upper-cased
     * when {@code upperCase} (Python's {@code bytes.upper()}). Runs under every datagram model.
     */
    static DatagramHandler echo(boolean upperCase) {
        if (!upperCase) {
            return datagram -> datagram.reply(datagram.data());
        }
        return datagram -> {
            java.nio.ByteBuffer reply = java.nio.ByteBuffer.wrap(datagram.data());
            EchoProtocol.upperCaseAscii(reply);
            datagram.reply(reply);
        };
    }
}
