package dev.spindle.process.sync;

import dev.spindle.internal.Deadline;
import dev.spindle.process.HolderUnreachableException;
import dev.spindle.process.wire.ObjectHandle;
import dev.spindle.process.wire.ServedObject;

import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * How every copy of a lock, semaphore, event or barrier calls its holder: an {@link ObjectHandle}
 * with the three ways this package calls it. What crosses when a task captures one of them.
 */
final class SyncHandle implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;
    static final byte[] NOTHING = new byte[0];

    private final ObjectHandle handle;

    private SyncHandle(ObjectHandle handle) {
        this.handle = handle;
    }

    /**
     * Serves {@code object} from this process.
     *
     * @throws UncheckedIOException if this process cannot serve objects (its hub cannot start)
     */
    static SyncHandle serve(ServedObject object, String what) {
        try {
            return new SyncHandle(ObjectHandle.serve(object));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve a " + what + " from this process: " + e.getMessage(), e);
        }
    }

    long holderPid() {
        return handle.holderPid();
    }

    boolean isLocal() {
        return handle.isLocal();
    }

    /**
     * A call that may wait until {@code deadline} where the object is.
     *
     * @return the reply, or null when it timed out having changed nothing
     * @throws InterruptedException when interrupted before the call was served (nothing was granted;
     *         a grant that raced the interrupt is returned instead, with the interrupt kept)
     * @throws HolderUnreachableException when the holder has ended
     */
    ByteBuffer call(byte op, byte[] payload, Deadline deadline) throws InterruptedException {
        return handle.call(op, payload, deadline);
    }

    /**
     * {@link #call} that an interrupt does not stop: a cancelled call is made again. The interrupt
     * status is kept for the caller. The wait itself runs with the status clear, as a wait that was
     * interrupted before it began would otherwise end at once.
     */
    ByteBuffer callUninterruptibly(byte op, byte[] payload, Deadline deadline) {
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    return handle.call(op, payload, deadline);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A call that does not wait where the object is, and that no interrupt stops. */
    ByteBuffer callNow(byte op, byte[] payload) {
        return callUninterruptibly(op, payload, Deadline.afterNanos(0));
    }

    /** Sends {@code op} without waiting for a reply; locally, runs it now. */
    void oneWay(byte op, byte[] payload) {
        handle.oneWay(op, payload, 0, payload.length);
    }

    @Override
    public String toString() {
        return handle.toString();
    }
}
