package dev.spindle.net;

import java.io.IOException;
import java.util.Objects;

/**
 * The outcome of {@link Client#tryConnect}: Python's {@code connect_ex}, which reports a failure
 * as a value instead of raising it. Port scanners try thousands of addresses and expect most to
 * fail; an exception per closed port would be noise.
 *
 * <pre>{@code
 * switch (Client.tryConnect("127.0.0.1", port, Duration.ofMillis(100))) {
 *     case ConnectResult.Connected c -> { c.connection().close(); open.add(port); }
 *     case ConnectResult.Failed f -> { }
 * }
 * }</pre>
 */
public sealed interface ConnectResult {

    /** Whether the connection was made. */
    boolean isConnected();

    /** Connected: the caller owns {@code connection} and must close it. */
    record Connected(Connection connection) implements ConnectResult {
        public Connected {
            Objects.requireNonNull(connection, "connection");
        }

        @Override
        public boolean isConnected() {
            return true;
        }
    }

    /**
     * Not connected: {@code error} says why, such as {@link java.net.ConnectException} (refused),
     * {@link java.net.SocketTimeoutException} or {@link java.net.UnknownHostException}.
     */
    record Failed(IOException error) implements ConnectResult {
        public Failed {
            Objects.requireNonNull(error, "error");
        }

        @Override
        public boolean isConnected() {
            return false;
        }
    }
}
