package dev.spindle.process.queue;

import dev.spindle.internal.Deadline;
import dev.spindle.process.wire.Caller;
import dev.spindle.process.wire.Peer;
import dev.spindle.process.wire.ObjectHandle;
import dev.spindle.process.wire.ServedObject;
import dev.spindle.process.wire.ServedObjects;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.Condition;
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
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<byte[]> items = new ArrayDeque<>();
    /** How many times the holder recalled this loan; guarded by {@link #lock}. */
    private long recalls;
    /** How many items the holder has sent this loan; guarded by {@link #lock}. */
    private long received;
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
     * Waits until an item is here, the holder has recalled the loan since {@link #recalls()} was
     * {@code seen} (which stops its sending: the caller must take again to be sent more), or
     * {@code deadline} passes.
     *
     * @return false when the deadline passed with no item here and no recall (the end of the
     *         connection to the holder counts as one: the caller's next take finds out why)
     */
    boolean await(Deadline deadline, long seen) throws InterruptedException {
        lock.lock();
        try {
            while (items.isEmpty() && recalls == seen) {
                if (deadline.hasExpired() || !deadline.await(arrived)) {
                    return !items.isEmpty() || recalls != seen;
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** How many items the holder has sent: read before a take, for {@link #awaitReceived}. */
    long received() {
        lock.lock();
        try {
            return received;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the holder has sent {@code count} items in all, or has recalled the loan since
     * {@code seen} recalls (its connection ending counts): for a take's items, which are on their
     * way, so no deadline applies. An interrupt is kept for the caller.
     */
    void awaitReceived(long count, long seen) {
        lock.lock();
        try {
            while (received < count && recalls == seen) {
                arrived.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /** How many times the holder has recalled this loan: read before a take, for {@link #await}. */
    long recalls() {
        lock.lock();
        try {
            return recalls;
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
            recalls++;
            arrived.signalAll();
            int n = items.size();
            if (n > 0) {
                items.clear();
                report(HeldQueue.GIVE_BACK, n);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the loan: gives back everything the holder lent it, what is here and what is on its way
     * (which this process will drop once it no longer serves the loan), and stops the holder's sending.
     */
    void close() {
        lock.lock();
        try {
            items.clear();
            report(HeldQueue.GIVE_BACK, Integer.MAX_VALUE);
        } finally {
            lock.unlock();
        }
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
        } else if (op == HeldQueue.LEND) {
            byte[] item = new byte[payload.remaining()];
            payload.get(item);
            lock.lock();
            try {
                items.addLast(item);
                received++;
                arrived.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public void peerEnded(Peer peer) {
        if (peer != queue.connected()) {
            return;
        }
        // The holder has put back what it lent over that connection: keeping it here would deliver it twice.
        lock.lock();
        try {
            items.clear();
            recalls++;
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void report(byte op, int n) {
        byte[] message = ByteBuffer.allocate(12).putLong(id).putInt(n).array();
        queue.oneWay(op, message, 0, message.length);
    }
}
