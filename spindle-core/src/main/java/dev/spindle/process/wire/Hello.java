package dev.spindle.process.wire;

import java.io.StreamCorruptedException;
import java.nio.ByteBuffer;

/**
 * The first envelope on every connection to a {@link Hub}, right after the handshake: what the
 * connection is for ({@link #kind}, one of the constants here), a value whose meaning the kind
 * gives (a child's launch token, a pipe's id), a side byte, and the dialling process's pid.
 */
public record Hello(byte kind, long value, int side, long pid) {

    /** A child connecting back to its parent with its launch token: the child's link. */
    public static final byte CHILD = 1;
    /** A link that sends into a pipe the hub's process holds. */
    public static final byte PIPE_SENDER = 2;
    /** A link that receives from a pipe the hub's process holds. */
    public static final byte PIPE_RECEIVER = 3;
    /** A link that holds a pipe's end open for children being handed a copy. */
    public static final byte PIPE_CONTROL = 4;
    /** A process that calls objects the hub's process serves: a {@link Peer}. */
    public static final byte PEER = 5;

    static final int BYTES = 17;

    /** A hello from this process. */
    public static Hello of(byte kind, long value, int side) {
        return new Hello(kind, value, side, ProcessHandle.current().pid());
    }

    byte[] encode() {
        return ByteBuffer.allocate(BYTES).putLong(value).put((byte) side).putLong(pid).array();
    }

    static Hello decode(byte kind, ByteBuffer body) throws StreamCorruptedException {
        if (body.remaining() != BYTES) {
            throw new StreamCorruptedException("a process sent a hello of " + body.remaining() + " bytes, not the "
                    + BYTES + " every kind has");
        }
        return new Hello(kind, body.getLong(), body.get(), body.getLong());
    }
}
