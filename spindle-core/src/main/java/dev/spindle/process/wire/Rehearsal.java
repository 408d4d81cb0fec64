package dev.spindle.process.wire;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One call, one one-way message and a close, over a connection from this process to itself: what a
 * standby child's real link will do once it has a task, done once while it waits, so that the
 * classes are loaded and the code has run before a task's time is counted. The connection is a
 * Unix-domain socket pair in the run's directory; its file is removed as soon as the pair is made.
 */
public final class Rehearsal {

    private static final byte ECHO = 1;

    private Rehearsal() {
    }

    /**
     * Rehearses in {@code directory} (the run's), returning once both ends have ended.
     *
     * @throws IOException if the pair cannot be made or the call fails
     */
    public static void run(Path directory) throws IOException, InterruptedException {
        long pid = ProcessHandle.current().pid();
        Path path = directory.resolve("rehearsal-" + pid + ".sock");
        SocketChannel near;
        SocketChannel far;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            near = SocketChannel.open(UnixDomainSocketAddress.of(path));
            far = server.accept();
        } finally {
            Files.deleteIfExists(path);
        }
        Peer serving = Peer.start(new MessageChannel(far), pid, new Echo());
        Peer calling = Peer.start(new MessageChannel(near), pid, null);
        byte[] payload = {4, 2};
        ByteBuffer back = calling.call(0, ECHO, payload, Deadline.afterNanos(5_000_000_000L));
        if (back.remaining() != payload.length) {
            throw new IOException("the rehearsal's call came back with " + back.remaining() + " bytes");
        }
        calling.oneWay(0, ECHO, payload, 0, payload.length);
        calling.close();
        serving.awaitEnd(Deadline.afterNanos(5_000_000_000L));
    }

    /** Answers a call with its payload; takes one-way messages and drops them. */
    private static final class Echo implements ServedObject {

        @Override
        public byte[] call(Caller caller, byte op, ByteBuffer payload, Deadline deadline) {
            byte[] copy = new byte[payload.remaining()];
            payload.get(copy);
            return copy;
        }

        @Override
        public void oneWay(Caller caller, byte op, ByteBuffer payload) {
            // Dropped: a rehearsal.
        }

        @Override
        public void peerEnded(Peer peer) {
            // Nothing held for it.
        }
    }
}
