package dev.spindle.process.queue;

import dev.spindle.internal.Deadline;
import dev.spindle.process.wire.Caller;
import dev.spindle.process.wire.ObjectHandle;
import dev.spindle.process.wire.ServedObject;
import dev.spindle.process.wire.ServedObjects;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Items a {@link HeldQueue} in another process has lent to this one's users of a queue (see its
 * Lending): kept here until a caller takes one, which is reported to the holder before the caller
 * gets it. Served (so that the holder can {@linkplain HeldQueue#RECALL recall} them) under its own
 * id, which names the loan.
 *
 * <p>Reports and give-backs are sent under {@link #lock}, so the holder sees them in the order the
 * items left this buffer.
 */
final class Borrowed implements ServedObject {

    /** How many items one take may borrow: enough to amortize a round trip, few enough to hand back fast. */
    static final int BATCH = 64;

    private final ObjectHandle queue;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<byte[]> items = new ArrayDeque<>();
    private final long id;

    private Borrowed(ObjectHandle queue) {
        this.queue = queue;
        this.id = ServedObjects.add(this);
    }

    static Borrowed of(ObjectHandle queue) {
        return new Borrowed(queue);
    }

    long id() {
        return id;
    }

    /** The next lent item, reported as taken; null when none is here. */
    byte[] poll() {
        lock.lock();
        try {
            byte[] item = items.pollFirst();
            if (item != null) {
                report(HeldQueue.TAKEN, 1);
            }
            return item;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Keeps a batch just lent (a {@link HeldQueue#TAKE} reply). Runs on the connection's reader as
     * the reply arrives, so that a recall read after it finds the batch here.
     */
    void arrived(ByteBuffer reply) {
        List<byte[]> batch = HeldQueue.decode(reply);
        lock.lock();
        try {
            items.addAll(batch);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Hands every item still here back to the holder. They are the oldest of its loan: every item
     * before them was reported taken first, on the same connection.
     */
    void giveBack() {
        lock.lock();
        try {
            int n = items.size();
            if (n > 0) {
                items.clear();
                report(HeldQueue.GIVE_BACK, n);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops serving the loan, after giving back what is left. */
    void close() {
        giveBack();
        ServedObjects.remove(id);
    }

    @Override
    public byte[] call(Caller caller, byte op, ByteBuffer payload, Deadline deadline) {
        throw new UnsupportedOperationException("a loan takes no calls");
    }

    @Override
    public void oneWay(Caller caller, byte op, ByteBuffer payload) {
        if (op == HeldQueue.RECALL) {
            giveBack();
        }
    }

    private void report(byte op, int n) {
        byte[] message = ByteBuffer.allocate(12).putLong(id).putInt(n).array();
        queue.oneWay(op, message, 0, message.length);
    }
}
