package dev.spindle.process.sync;

import dev.spindle.internal.Deadline;
import dev.spindle.process.wire.Caller;
import dev.spindle.process.wire.ServedObject;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A semaphore's permits, in the process that created it: served to every process that uses a
 * {@link ProcessSemaphore}. Permits belong to no one, as in the JDK and in Python: nothing is
 * given back when a process that acquired some dies.
 */
final class HeldSemaphore implements ServedObject {

    /** Call: payload {@code n:4}; reply {@link #OK}; null when timed out. */
    static final byte ACQUIRE = 1;
    /** Call: payload {@code n:4}; reply {@link #OK}. */
    static final byte RELEASE = 2;
    /** Call: reply {@code permits:4}. */
    static final byte AVAILABLE = 3;
    /** Call: reply {@code drained:4}. */
    static final byte DRAIN = 4;

    static final byte OK = 1;

    private final ReentrantLock guard = new ReentrantLock();
    private final Condition released = guard.newCondition();
    /** The most permits there may be, or -1: no bound. */
    private final long bound;
    private int permits;

    HeldSemaphore(int permits, long bound) {
        this.permits = permits;
        this.bound = bound;
    }

    @Override
    public byte[] call(Caller caller, byte op, ByteBuffer payload, Deadline deadline) throws Exception {
        return switch (op) {
            case ACQUIRE -> acquire(caller, payload.getInt(), deadline);
            case RELEASE -> release(payload.getInt());
            case AVAILABLE -> count(false);
            case DRAIN -> count(true);
            default -> throw new UnsupportedOperationException("a semaphore has no operation " + op);
        };
    }

    private byte[] acquire(Caller caller, int n, Deadline deadline) throws InterruptedException {
        guard.lock();
        try {
            while (permits < n) {
                if (!deadline.await(released) && permits < n) {
                    return null;
                }
            }
            if (caller.peer() != null && caller.peer().hasEnded()) {
                // Its process is gone: permits granted now would be lost with it.
                throw new IllegalStateException("process " + caller.pid() + " ended while waiting for permits");
            }
            permits -= n;
            return new byte[] {OK};
        } finally {
            guard.unlock();
        }
    }

    private byte[] release(int n) {
        guard.lock();
        try {
            long after = (long) permits + n;
            if (bound >= 0 && after > bound) {
                throw new IllegalStateException("released more permits than were acquired: " + permits + " + " + n
                        + " would pass the bound of " + bound + " (Python's ValueError: Semaphore released too many "
                        + "times); release only what was acquired, or use a ProcessSemaphore, which has no bound");
            }
            if (after > Integer.MAX_VALUE) {
                throw new IllegalStateException("releasing " + n + " permits would pass " + Integer.MAX_VALUE
                        + " permits (there are " + permits + ")");
            }
            permits = (int) after;
            released.signalAll();
            return new byte[] {OK};
        } finally {
            guard.unlock();
        }
    }

    private byte[] count(boolean drain) {
        guard.lock();
        try {
            int n = permits;
            if (drain) {
                permits = 0;
                if (n < 0) {
                    released.signalAll();
                }
            }
            return ByteBuffer.allocate(4).putInt(n).array();
        } finally {
            guard.unlock();
        }
    }
}
