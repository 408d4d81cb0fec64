package dev.spindle.net;

import dev.spindle.codec.Framing;

import java.io.IOException;
import java.net.SocketOption;
import java.nio.channels.NetworkChannel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** What a server or client applies to each of its connections; shared by both builders. */
final class ConnectionSettings {

    /** Each {@code recv}-style frame: up to 64 KiB. */
    static final Framing DEFAULT_FRAMING = Framing.raw(64 * 1024);

    Framing framing = DEFAULT_FRAMING;
    Duration readTimeout = Duration.ZERO;
    Duration writeTimeout = Duration.ZERO;
    final Map<SocketOption<?>, Object> options = new LinkedHashMap<>();

    ConnectionSettings copy() {
        ConnectionSettings copy = new ConnectionSettings();
        copy.framing = framing;
        copy.readTimeout = readTimeout;
        copy.writeTimeout = writeTimeout;
        copy.options.putAll(options);
        return copy;
    }

    <T> void option(SocketOption<T> name, T value) {
        options.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    }

    /**
     * Sets every option the channel's transport supports; TCP-only options are skipped on
     * Unix-domain channels so that one configuration serves both transports.
     */
    @SuppressWarnings("unchecked")
    void applyOptions(NetworkChannel channel) throws IOException {
        for (Map.Entry<SocketOption<?>, Object> e : options.entrySet()) {
            if (channel.supportedOptions().contains(e.getKey())) {
                channel.setOption((SocketOption<Object>) e.getKey(), e.getValue());
            }
        }
    }

    static Duration checkTimeout(Duration timeout, String what) {
        Objects.requireNonNull(timeout, what);
        if (timeout.isNegative()) {
            throw new IllegalArgumentException(what + " must be zero (none) or positive, got " + timeout);
        }
        return timeout;
    }
}
