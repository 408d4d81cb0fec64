package dev.spindle.net;

import java.nio.ByteBuffer;

/**
 * An event-driven connection handler in asyncio's shape: the server calls it when something
 * happens on its connection, and it answers through its {@link Transport}, which never blocks.
 *
 * <p>The same protocol runs under every {@link Model}: on a selector loop under
 * {@link Model#eventLoop(int)}, with completion handlers under {@link Model#ASYNC}, and on a
 * thread of its own under the blocking models, through an adapter that reads for it.
 *
 * <p>For each connection the server makes one protocol with the factory given to
 * {@link StreamServerBuilder#protocol(java.util.function.Supplier)} and calls, in order:
 * {@link #connectionMade} once, {@link #dataReceived} for each chunk that arrives (with
 * {@link #writabilityChanged} and {@link #eofReceived} as they happen), and
 * {@link #connectionLost} once, last. The calls for one connection never overlap.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>{@link #dataReceived}'s buffer belongs to the server and is reused as soon as the call
 *       returns: write it, decode it or copy it before returning. Writing it to the transport is
 *       safe; the transport copies whatever it cannot send at once.</li>
 *   <li>Under the event-loop and async models the calls run on a thread that serves many
 *       connections. Never block in them: hand slow work to an executor and write the answer
 *       from there ({@link Transport#write} may be called from any thread).</li>
 *   <li>A protocol that keeps writing while {@link Transport#isWritable()} is false grows the
 *       write buffer without bound: pause reading, as {@link EchoProtocol} does.</li>
 * </ul>
 */
public interface Protocol {

    /** The connection is open; keep {@code transport} to write, pause, or close. */
    default void connectionMade(Transport transport) {
    }

    /**
     * Bytes arrived.
     *
     * @param data the bytes, between position and limit; valid only during this call
     * @throws Exception to close the connection; it is counted as an error and logged
     */
    void dataReceived(ByteBuffer data) throws Exception;

    /**
     * The peer closed its sending side (a half-close).
     *
     * @return {@code true} to keep the connection open for writing, {@code false} (the default)
     *     to close it once what is buffered has been sent
     */
    default boolean eofReceived() throws Exception {
        return false;
    }

    /** The transport's write buffer crossed its high ({@code false}) or low ({@code true}) water mark. */
    default void writabilityChanged(boolean writable) {
    }

    /**
     * The connection is closed; nothing more will be called.
     *
     * @param cause {@code null} after a clean close by either side, else what ended the connection
     */
    default void connectionLost(Throwable cause) {
    }
}
