package dev.spindle.process.sync;

import dev.spindle.internal.Deadline;
import dev.spindle.process.HolderUnreachableException;

import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

/**
 * A reentrant lock that threads of many processes take in turn: Python's
 * {@code multiprocessing.RLock}, as a {@link java.util.concurrent.locks.Lock} that behaves as
 * {@link java.util.concurrent.locks.ReentrantLock} does. The thread that holds it may lock it
 * again; it is free once that thread has unlocked it as many times as it locked it.
 *
 * <p>Everything {@link ProcessLock} says holds here too (the holder, the owner, timeouts,
 * interrupts, what happens when processes die), except that locking it again is allowed.
 *
 * <ul>
 *   <li>A {@link ProcessCondition}'s {@code await} lets go of every hold at once and takes them all
 *   back before it returns, as {@code ReentrantLock}'s conditions do.</li>
 *   <li><b>Beyond Python</b>: an owner whose process dies holding the lock (any number of times)
 *   is released by the holder, and the next thread to lock it sees the dead pid in
 *   {@link #previousOwnerDied()}.</li>
 * </ul>
 *
 * <p>Thread-safe, and safe across processes.
 */
public final class ProcessRLock implements Lock, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final LockCalls lock;

    /**
     * A new, unlocked reentrant lock held by this process.
     *
     * @throws UncheckedIOException if this process cannot serve the lock (its hub cannot start)
     */
    public ProcessRLock() {
        this.lock = new LockCalls(true);
    }

    /**
     * Takes the lock, or once more if the current thread holds it, waiting as long as it takes;
     * an interrupt does not end the wait (the interrupt status is kept).
     *
     * @throws IllegalStateException if the current thread holds it {@link Integer#MAX_VALUE} times
     * @throws HolderUnreachableException if the holder has ended
     */
    @Override
    public void lock() {
        lock.lock();
    }

    /**
     * Takes the lock (or once more), waiting until it is free or the thread is interrupted; see
     * {@link ProcessLock}'s Interrupts for a grant that raced the interrupt.
     *
     * @throws InterruptedException if interrupted on entry or while waiting; the lock was not taken
     * @throws HolderUnreachableException if the holder has ended
     */
    @Override
    public void lockInterruptibly() throws InterruptedException {
        lock.lockInterruptibly();
    }

    /**
     * Takes the lock (or once more) if it is free now or held by the current thread; never waits.
     *
     * @return whether the lock was taken
     */
    @Override
    public boolean tryLock() {
        return lock.tryLock();
    }

    /**
     * Takes the lock (or once more), waiting at most {@code time}; zero or less does not wait.
     *
     * @return whether the lock was taken
     * @throws InterruptedException if interrupted on entry or while waiting
     */
    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        return lock.tryLock(Deadline.afterNanos(unit.toNanos(time)));
    }

    /**
     * Takes the lock (or once more), waiting at most {@code timeout}; zero or less does not wait.
     *
     * @return whether the lock was taken
     * @throws InterruptedException if interrupted on entry or while waiting
     */
    public boolean tryLock(Duration timeout) throws InterruptedException {
        return lock.tryLock(Deadline.after(timeout));
    }

    /**
     * Lets go of one hold; the lock is free once the current thread has let go of all of them.
     *
     * @throws IllegalMonitorStateException if the current thread does not hold the lock
     * @throws HolderUnreachableException if the holder has ended
     */
    @Override
    public void unlock() {
        lock.unlock();
    }

    /** A new condition of this lock, for threads of every process that has the lock (see {@link ProcessCondition}). */
    @Override
    public ProcessCondition newCondition() {
        return lock.newCondition();
    }

    /** How many times the current thread holds the lock: 0 if it does not. */
    public int getHoldCount() {
        return lock.holdCount();
    }

    /** Whether the current thread holds the lock. */
    public boolean isHeldByCurrentThread() {
        return getHoldCount() > 0;
    }

    /** Whether some thread, of any process, holds the lock at this instant. */
    public boolean isLocked() {
        return lock.isLocked();
    }

    /**
     * The pid of the process that died holding the lock before the current thread took it, if it
     * did (see {@link ProcessLock#previousOwnerDied()}). Empty if the current thread does not hold
     * the lock; cleared when it lets go of its last hold.
     */
    public OptionalLong previousOwnerDied() {
        return lock.previousOwnerDied();
    }

    /** The pid of the process that holds (serves) the lock. */
    public long holderPid() {
        return lock.holderPid();
    }

    @Override
    public String toString() {
        return lock.toString();
    }
}
