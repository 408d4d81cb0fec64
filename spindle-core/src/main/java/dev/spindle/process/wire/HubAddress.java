package dev.spindle.process.wire;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Where a {@link Hub} listens, as an {@link ObjectHandle} names it: a Unix-domain socket in the
 * run's directory ({@link UnixHubAddress}, the run's own key) or a TCP address
 * ({@link TcpHubAddress}, a key given by whoever serves or connects there, as a remote manager
 * does). The text form is what crosses inside a handle.
 */
sealed interface HubAddress permits UnixHubAddress, TcpHubAddress {

    /** The address written as {@link #text()}. */
    static HubAddress parse(String text) {
        return text.startsWith(TcpHubAddress.SCHEME) ? TcpHubAddress.parse(text) : new UnixHubAddress(Path.of(text));
    }

    /** The form a handle carries. */
    String text();

    /** The key a dialler proves it holds before anything else is sent. */
    byte[] key() throws IOException;

    /** A connected socket to the hub, not yet authenticated. */
    SocketChannel connect(Deadline deadline) throws IOException;
}
