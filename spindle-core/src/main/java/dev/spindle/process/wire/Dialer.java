package dev.spindle.process.wire;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one way a process connects to another process's {@link Hub}: connect (retrying while the
 * listener's backlog is full), authenticate ({@link dev.spindle.process.Handshake}), then send the
 * hello that says what the connection is for. {@link Hub} is the other half.
 *
 * <p>A connect is retried only while the socket file exists and the deadline allows, with a short
 * back-off: a hub whose accept queue is full refuses at once on Linux, and a burst of children
 * starting together would otherwise fail. A missing socket file means the process that listened
 * has ended, and fails at once.
 */
public final class Dialer {

    private static final int MAX_ATTEMPTS = 8;
    private static final long FIRST_BACK_OFF_MILLIS = 5;

    private Dialer() {
    }

    /**
     * Opens an authenticated channel to the hub at {@code address} and sends {@code hello}.
     *
     * @throws ConnectException when nothing listens there: the process that did has ended
     * @throws dev.spindle.process.AuthenticationException when the hub does not share the run's key
     */
    public static MessageChannel dial(Path address, byte[] key, Hello hello, Deadline deadline) throws IOException {
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

    /** A connected, not yet authenticated socket to {@code address}. */
    static SocketChannel connect(Path address, Deadline deadline) throws IOException {
        long backOff = FIRST_BACK_OFF_MILLIS;
        for (int attempt = 1; ; attempt++) {
            try {
                return SocketChannel.open(UnixDomainSocketAddress.of(address));
            } catch (ConnectException e) {
                if (attempt >= MAX_ATTEMPTS || !Files.exists(address)) {
                    throw e;
                }
                if (deadline.remainingNanos() < backOff * 1_000_000) {
                    throw new SocketTimeoutException("timed out connecting to " + address + ": " + e.getMessage());
                }
            }
            try {
                Thread.sleep(backOff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while connecting to " + address);
            }
            backOff *= 2;
        }
    }
}
