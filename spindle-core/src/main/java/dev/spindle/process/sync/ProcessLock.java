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
 * A lock that threads of many processes take in turn: Python's {@code multiprocessing.Lock}, as a
 * {@link java.util.concurrent.locks.Lock}, so code written for the JDK's locks works across
 * processes unchanged. Not reentrant: see {@link ProcessRLock} for one that is.
 *
 * <pre>{@code
 * ProcessLock lock = new ProcessLock();
 * for (int i = 0; i < 10; i++) {
 *     Process.target(() -> {
 *         lock.lock();                      // captured: every child locks the same lock
 *         try {
 *             buyATicket();                 // one process at a time
 *         } finally {
 *             lock.unlock();
 *         }
 *     }).start();
 * }
 * }</pre>
 *
 * <p>The lock lives in the process that created it (its <em>holder</em>); a lock captured by a task,
 * or sent through a pipe or a queue, is the same lock in the other process, reached over that
 * process's one connection to the holder. Its owner is a thread of a process: the thread that
 * locked it, which alone may unlock it ({@link IllegalMonitorStateException} otherwise, as the
 * JDK's locks say; Python lets any process release its Lock).
 *
 * <h2>Blocking and timeouts</h2>
 * {@link #lock()} waits as long as it takes and is not interruptible; {@link #lockInterruptibly()}
 * is; {@link #tryLock(long, TimeUnit)} and {@link #tryLock(Duration)} wait at most the time given,
 * and a time of zero or less does not wait at all; {@link #tryLock()} never waits. Python's
 * {@code acquire(block=False)} is {@code tryLock()}, {@code acquire(timeout=t)} is
 * {@code tryLock(t)}.
 *
 * <h2>Interrupts</h2>
 * A thread interrupted while it waits in {@link #lockInterruptibly()} or a timed
 * {@code tryLock} gets an {@link InterruptedException} and does not hold the lock. From another
 * process the wait is a call to the holder, which the interrupt cancels; when the holder had
 * already granted the lock before the cancel arrived, the grant wins: the method returns
 * normally, <b>holding the lock, with the interrupt status set</b>, so that the lock is never
 * held by a thread that does not know it.
 *
 * <h2>Locking twice</h2>
 * A thread that holds the lock and locks it again (in any form, {@code tryLock} included) gets an
 * {@link IllegalStateException} saying to use a {@link ProcessRLock}: Python's {@code Lock} would
 * hang there silently.
 *
 * <h2>When processes die</h2>
 * <ul>
 *   <li><b>Beyond Python</b>: a lock whose owner's process dies (even by SIGKILL) is released by
 *   the holder, which sees the process's connection end, and logs a warning. The next thread to
 *   lock it, in any process, can tell: {@link #previousOwnerDied()} gives it the dead process's
 *   pid for as long as it holds the lock, as a robust mutex's {@code EOWNERDEAD} does. What the
 *   lock guarded may be half-updated; check it there. Python's lock stays held forever.</li>
 *   <li>When the holder ends, the lock ends with it: every call from elsewhere then throws
 *   {@link HolderUnreachableException}. Create locks in the process that outlives their users
 *   (the parent, usually).</li>
 * </ul>
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>From any process but the holder, every {@code lock} and {@code unlock} is a round trip to
 *   the holder (tens of microseconds), not a memory operation as in one JVM.</li>
 *   <li>A thread of the holder that ends holding the lock leaves it held, as with the JDK's
 *   locks: only a process's death releases what it held.</li>
 * </ul>
 *
 * <p>Thread-safe, and safe across processes.
 */
public final class ProcessLock implements Lock, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final LockCalls lock;

    /**
     * A new, unlocked lock held by this process.
     *
     * @throws UncheckedIOException if this process cannot serve the lock (its hub cannot start)
     */
    public ProcessLock() {
        this.lock = new LockCalls(false);
    }

    /**
     * Takes the lock, waiting as long as it takes; an interrupt does not end the wait (the
     * interrupt status is kept).
     *
     * @throws IllegalStateException if the current thread holds the lock already (use a {@link ProcessRLock})
     * @throws HolderUnreachableException if the holder has ended
     */
    @Override
    public void lock() {
        lock.lock();
    }

    /**
     * Takes the lock, waiting until it is free or the thread is interrupted (see Interrupts).
     *
     * @throws InterruptedException if interrupted on entry or while waiting; the lock is not held
     * @throws IllegalStateException if the current thread holds the lock already (use a {@link ProcessRLock})
     * @throws HolderUnreachableException if the holder has ended
     */
    @Override
    public void lockInterruptibly() throws InterruptedException {
        lock.lockInterruptibly();
    }

    /**
     * Takes the lock if it is free now; never waits.
     *
     * @return whether the lock is now held
     * @throws IllegalStateException if the current thread holds the lock already (use a {@link ProcessRLock})
     */
    @Override
    public boolean tryLock() {
        return lock.tryLock();
    }

    /**
     * Takes the lock, waiting at most {@code time} for it; zero or less does not wait.
     *
     * @return whether the lock is now held
     * @throws InterruptedException if interrupted on entry or while waiting (see Interrupts)
     * @throws IllegalStateException if the current thread holds the lock already (use a {@link ProcessRLock})
     */
    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        return lock.tryLock(Deadline.afterNanos(unit.toNanos(time)));
    }

    /**
     * Takes the lock, waiting at most {@code timeout} for it; zero or less does not wait.
     *
     * @return whether the lock is now held
     * @throws InterruptedException if interrupted on entry or while waiting (see Interrupts)
     * @throws IllegalStateException if the current thread holds the lock already (use a {@link ProcessRLock})
     */
    public boolean tryLock(Duration timeout) throws InterruptedException {
        return lock.tryLock(Deadline.after(timeout));
    }

    /**
     * Lets go of the lock; a waiting thread, of any process, takes it next. No order is promised,
     * as with a JDK lock that is not fair: a thread that asks just now may come first.
     *
     * @throws IllegalMonitorStateException if the current thread does not hold the lock
     * @throws HolderUnreachableException if the holder has ended
     */
    @Override
    public void unlock() {
        lock.unlock();
    }

    /**
     * A new condition of this lock, for threads of every process that has the lock (see
     * {@link ProcessCondition}). Making one costs nothing at the holder until someone waits.
     */
    @Override
    public ProcessCondition newCondition() {
        return lock.newCondition();
    }

    /** Whether some thread, of any process, holds the lock at this instant. */
    public boolean isLocked() {
        return lock.isLocked();
    }

    /** Whether the current thread holds the lock. */
    public boolean isHeldByCurrentThread() {
        return lock.holdCount() > 0;
    }

    /**
     * The pid of the process that died holding the lock before the current thread took it, if it
     * did: the lock was released by the holder, not unlocked, and what it guarded may be
     * half-updated. Empty if the previous owner unlocked it, or if the current thread does not
     * hold the lock. Cleared when the current thread unlocks it.
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
