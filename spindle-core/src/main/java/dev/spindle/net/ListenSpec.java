package dev.spindle.net;

import java.net.SocketAddress;

/** Where and how a server listens: what every acceptor binds with. */
record ListenSpec(SocketAddress address, int backlog, boolean reuseAddress, boolean reusePort) {
}
