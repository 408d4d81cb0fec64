package dev.spindle.cli;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/** Where a server listens or a client connects: {@code --host} and {@code --port}, or {@code --unix}. Shared by the commands as a picocli mixin. */
final class AddressOptions {

    static final class Where {
        @Option(names = "--port", paramLabel = "PORT", converter = WholeNumberConverter.Port.class,
                description = "TCP port (default: ${DEFAULT-VALUE}); for serve, 0 picks a free one.",
                defaultValue = "9999")
        int port = 9999;

        @Option(names = "--unix", paramLabel = "PATH", description = "A Unix-domain socket file instead of TCP.")
        Path unix;
    }

    @Option(names = "--host", description = "Address (default: ${DEFAULT-VALUE}).", defaultValue = "127.0.0.1")
    String host = "127.0.0.1";

    @ArgGroup(exclusive = true)
    Where where = new Where();

    /**
     * The socket address. A host name stays unresolved, so that a client tries every address it
     * resolves to. The port's range is checked while parsing, by its converter.
     */
    SocketAddress address() {
        if (where.unix != null) {
            return UnixDomainSocketAddress.of(where.unix);
        }
        return InetSocketAddress.createUnresolved(host, where.port);
    }
}
