package dev.spindle.net;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;

/**
 * Unix-domain datagram sockets, which the JDK lacks: a service that a module on the class or
 * module path provides ({@code spindle-unixgram}, over junixsocket), found with
 * {@link java.util.ServiceLoader}. {@link DatagramServerBuilder#bindUnix(Path)} and
 * {@link DatagramClient#openUnix(Path)} use it; without one on the path they throw
 * {@link UnsupportedOperationException} naming the module to add. Implement it only to replace
 * that module.
 */
public interface UnixDatagramProvider {

    /** The socket address of the file {@code path}. */
    SocketAddress address(Path path);

    /**
     * A datagram channel bound to {@code path} (or, when {@code path} is {@code null}, not
     * bound), selectable with selectors of its own {@link DatagramChannel#provider() provider}.
     */
    DatagramChannel open(Path path) throws IOException;

    /** Whether {@code address} is one of this provider's. */
    boolean handles(SocketAddress address);
}
