package dev.spindle.process.wire;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A hub's Unix-domain socket in the run's private directory; only processes of the run (they hold
 * its key) get past the handshake.
 *
 * <p>A connect is retried only while the socket file exists and the deadline allows, with a short
 * back-off: a hub whose accept queue is full refuses at once on Linux, and a burst of children
 * starting together would otherwise fail. A missing socket file means the process that listened
 * has ended, and fails at once.
 */
record UnixHubAddress(Path path) implements HubAddress {

    private static final int MAX_ATTEMPTS = 8;
    private static final long FIRST_BACK_OFF_MILLIS = 5;

    @Override
    public String text() {
        return path.toString();
    }

    @Override
    public byte[] key() {
        return Run.current().key();
    }

    @Override
    public SocketChannel connect(Deadline deadline) throws IOException {
        long backOff = FIRST_BACK_OFF_MILLIS;
        for (int attempt = 1; ; attempt++) {
            try {
                return SocketChannel.open(UnixDomainSocketAddress.of(path));
            } catch (ConnectException e) {
                if (attempt >= MAX_ATTEMPTS || !Files.exists(path)) {
                    throw e;
                }
                if (deadline.remainingNanos() < backOff * 1_000_000) {
                    throw new SocketTimeoutException("timed out connecting to " + path + ": " + e.getMessage());
                }
            }
            try {
                Thread.sleep(backOff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while connecting to " + path);
            }
            backOff *= 2;
        }
    }
}
