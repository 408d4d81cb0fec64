package dev.spindle.sync;

import dev.spindle.internal.Deadline;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A flag threads wait on: Python's {@code threading.Event}. {@link #set()} wakes every waiter,
 * {@link #clear()} lowers the flag again; any number of threads, virtual or not, may wait.
 *
 * <pre>{@code
 * Event green = new Event();
 * // the traffic light:   green.set(); ... green.clear();
 * // a car:               if (green.await(Duration.ofSeconds(1))) drive();
 * }</pre>
 *
 * <p>A waiter woken by {@link #set()} returns {@code true} even when another thread clears the
 * flag before the waiter runs again, as Python's does: the set happened while it waited.
 *
 * <p>Thread-safe. Uses a {@link ReentrantLock}, so a waiting virtual thread does not pin its carrier.
 */
public final class Event {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean flag;
    /** Counts sets: a waiter that sees it move was released by a set, whatever the flag says now. */
    private long sets;

    /** Raises the flag and wakes every waiter. */
    public void set() {
        lock.lock();
        try {
            flag = true;
            sets++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Lowers the flag; later waiters wait for the next {@link #set()}. */
    public void clear() {
        lock.lock();
        try {
            flag = false;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the flag is up. */
    public boolean isSet() {
        lock.lock();
        try {
            return flag;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the flag is set.
     *
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public void await() throws InterruptedException {
        await(Deadline.NONE);
    }

    /**
     * Waits up to {@code timeout} for the flag. Zero or negative means do not wait (as
     * {@link java.util.concurrent.Semaphore#tryAcquire(long, java.util.concurrent.TimeUnit)
     * Semaphore.tryAcquire}): it only looks.
     *
     * @return {@code true} when the flag was set (now, or while this waited); {@code false} on timeout
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public boolean await(Duration timeout) throws InterruptedException {
        return await(Deadline.after(timeout));
    }

    private boolean await(Deadline deadline) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long seen = sets;
            while (!flag && sets == seen) {
                if (!deadline.await(changed)) {
                    return flag || sets != seen;
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Event[" + (isSet() ? "set" : "clear") + "]";
    }
}
