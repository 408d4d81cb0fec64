package dev.spindle.process.sync;

import dev.spindle.internal.Deadline;
import dev.spindle.process.wire.Caller;
import dev.spindle.process.wire.ServedObject;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** An event's flag, in the process that created it: served to every process that uses a {@link ProcessEvent}. */
final class HeldEvent implements ServedObject {

    /** Call: reply {@link #SET}. */
    static final byte SET = 1;
    /** Call: reply {@link #CLEAR}. */
    static final byte CLEAR = 2;
    /** Call: reply {@link #SET} or {@link #CLEAR}, the flag. */
    static final byte IS_SET = 3;
    /** Call: reply {@link #SET} once the flag is set; null when timed out. */
    static final byte AWAIT = 4;

    private final ReentrantLock guard = new ReentrantLock();
    private final Condition set = guard.newCondition();
    private boolean flag;

    @Override
    public byte[] call(Caller caller, byte op, ByteBuffer payload, Deadline deadline) throws Exception {
        guard.lock();
        try {
            switch (op) {
                case SET -> {
                    flag = true;
                    set.signalAll();
                }
                case CLEAR -> flag = false;
                case IS_SET -> {
                }
                case AWAIT -> {
                    while (!flag) {
                        if (!deadline.await(set) && !flag) {
                            return null;
                        }
                    }
                }
                default -> throw new UnsupportedOperationException("an event has no operation " + op);
            }
            return new byte[] {flag ? SET : CLEAR};
        } finally {
            guard.unlock();
        }
    }
}
