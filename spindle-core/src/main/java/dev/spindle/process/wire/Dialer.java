package dev.spindle.process.wire;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Path;

/**
 * The one way a process connects to another process's {@link Hub}: connect (as the
 * {@link HubAddress} says), authenticate ({@link dev.spindle.process.Handshake}), then send the
 * hello that says what the connection is for. {@link Hub} is the other half.
 */
public final class Dialer {

    private Dialer() {
    }

    /**
     * Opens an authenticated channel to the run's hub at {@code address} and sends {@code hello}.
     *
     * @throws ConnectException when nothing listens there: the process that did has ended
     * @throws dev.spindle.process.AuthenticationException when the hub does not share the run's key
     */
    public static MessageChannel dial(Path address, byte[] key, Hello hello, Deadline deadline) throws IOException {
        return dial(new UnixHubAddress(address), key, hello, deadline);
    }

    /** {@link #dial(Path, byte[], Hello, Deadline)} to a hub at any address. */
    static MessageChannel dial(HubAddress address, byte[] key, Hello hello, Deadline deadline) throws IOException {
        MessageChannel channel = MessageChannel.dial(address, key, deadline);
        try {
            byte[] header = Envelope.oneWayHeader(0, hello.kind(), 0);
            byte[] body = hello.encode();
            channel.sendWithHeader(header, body, 0, body.length, deadline);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }
}
