package dev.spindle.net;

import dev.spindle.internal.Deadline;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The handlers a datagram server is running or has queued, with an optional limit: a receiver
 * waits for room or drops the datagram, by the server's {@link WhenFull} policy, and shutdown
 * waits for the count to reach zero. Thread-safe.
 */
final class InFlight {

    private final int limit;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int count;
    private boolean stopping;

    /** @param limit the most at once; {@link Integer#MAX_VALUE} for none */
    InFlight(int limit) {
        this.limit = limit;
    }

    /**
     * Takes a slot: at once when there is room, else, when {@code wait}, once a handler ends.
     *
     * @return whether a slot was taken; false when full and not waiting, or when stopping
     */
    boolean enter(boolean wait) {
        lock.lock();
        try {
            while (count >= limit) {
                if (!wait || stopping) {
                    return false;
                }
                changed.awaitUninterruptibly();
            }
            count++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    void exit() {
        lock.lock();
        try {
            count--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Ends every wait for a slot: the server is stopping. */
    void stop() {
        lock.lock();
        try {
            stopping = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until no handler runs; returns whether that happened before the deadline. */
    boolean awaitNone(Deadline deadline) {
        lock.lock();
        try {
            while (count > 0) {
                if (!deadline.await(changed)) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    int count() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }
}
