package dev.spindle.process;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * How a child's task ended, as the child reports it to its parent before exiting. Without one,
 * the parent knows the child died abruptly (killed, or the JVM crashed or halted).
 */
record Outcome(Kind kind, byte[] result, Throwable failure, int signal) {

    enum Kind {
        /** The task returned; {@link #result} is the serializer's encoding of its value. */
        RETURNED,
        /** The task threw; {@link #failure} is what it threw (in the parent, a {@link ChildException}). */
        THREW,
        /** A signal (TERM, INT, HUP) ended the child; it exited gracefully. */
        SIGNALLED,
        /** The task called {@code System.exit}: the exit code is the child's own. */
        EXITED
    }

    static Outcome returned(byte[] result) {
        return new Outcome(Kind.RETURNED, result, null, 0);
    }

    static Outcome signalled(int signal) {
        return new Outcome(Kind.SIGNALLED, null, null, signal);
    }

    static Outcome exited() {
        return new Outcome(Kind.EXITED, null, null, 0);
    }

    static Outcome threw(Throwable thrown) {
        return new Outcome(Kind.THREW, null, thrown, 0);
    }

    byte[] encode() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(kind.ordinal());
        switch (kind) {
            case RETURNED -> {
                out.writeInt(result.length);
                out.write(result);
            }
            case THREW -> ChildException.write(failure, out);
            case SIGNALLED -> out.writeInt(signal);
            case EXITED -> { }
        }
        return bytes.toByteArray();
    }

    static Outcome decode(byte[] message) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(message));
        int ordinal = in.readUnsignedByte();
        if (ordinal >= Kind.values().length) {
            throw new java.io.StreamCorruptedException("unknown outcome kind " + ordinal);
        }
        return switch (Kind.values()[ordinal]) {
            case RETURNED -> {
                byte[] result = new byte[in.readInt()];
                in.readFully(result);
                yield returned(result);
            }
            case THREW -> threw(ChildException.read(in));
            case SIGNALLED -> signalled(in.readInt());
            case EXITED -> exited();
        };
    }
}
