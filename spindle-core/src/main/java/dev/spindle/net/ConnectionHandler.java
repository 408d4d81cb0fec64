package dev.spindle.net;

/**
 * What a server does with each connection: Python's {@code BaseRequestHandler}.
 *
 * <p>For each connection the server calls {@link #setup}, then {@link #handle}, then
 * {@link #finish}, on the thread its {@link Model} chooses, and closes the connection afterwards.
 * {@code finish} runs even when {@code handle} throws; when {@code setup} throws, neither
 * {@code handle} nor {@code finish} runs, as in Python. An exception from any of them ends that
 * connection only: it is counted in {@link ServerStats#errors()}, passed to the server's error
 * hook, and every other connection goes on.
 *
 * <h2>Sharing</h2>
 * A handler given with {@link StreamServerBuilder#handler(ConnectionHandler)} is <b>shared</b>
 * by every connection and may run on many threads at once: keep per-connection state in local
 * variables. For Python's one-instance-per-request style, give a factory with
 * {@link StreamServerBuilder#handlerFactory(java.util.function.Supplier)}.
 *
 * <pre>{@code
 * ConnectionHandler echo = connection -> {
 *     byte[] data;
 *     while ((data = connection.recv(8192)).length > 0) {
 *         connection.sendAll(data);
 *     }
 * };
 * }</pre>
 */
@FunctionalInterface
public interface ConnectionHandler {

    /** Prepares for {@link #handle}; when it throws, the connection is closed without handling. */
    default void setup(Connection connection) throws Exception {
    }

    /** Serves the connection; returns when the conversation is over. */
    void handle(Connection connection) throws Exception;

    /** Cleans up after {@link #handle}, whether it returned or threw. */
    default void finish(Connection connection) throws Exception {
    }
}
