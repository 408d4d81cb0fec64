package dev.spindle.net;

import java.util.function.Supplier;

/**
 * What a server's acceptor and runner share with it: its name, its registry of connections, what
 * each connection runs and is configured with.
 *
 * @param protocols {@code null} when the server runs a blocking handler
 * @param recipe    the builder that opened the server, read while it opens: how to open the same
 *                  server elsewhere (the process model's workers)
 */
record ServerContext(String name, ConnectionRegistry registry, ConnectionSettings settings,
                     Supplier<? extends ConnectionHandler> handlers, Supplier<? extends Protocol> protocols,
                     InputBudget inputBudget, ServerLog log, ConnectionSecurity security, StreamServerBuilder recipe) {

    ServerCounters counters() {
        return registry.counters();
    }

    ServerErrors errors() {
        return registry.errors();
    }

    /** A new protocol for a non-blocking connection to {@code peer}, inside TLS when the server has it. */
    Protocol newProtocol(java.net.SocketAddress peer) {
        return security.protocol(protocols.get(), peer);
    }
}
