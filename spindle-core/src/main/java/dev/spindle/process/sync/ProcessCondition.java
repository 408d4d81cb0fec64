package dev.spindle.process.sync;

import dev.spindle.internal.Deadline;
import dev.spindle.process.HolderUnreachableException;

import java.io.Serial;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Date;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * A condition of a {@link ProcessLock} or {@link ProcessRLock}, shared by every process that has
 * the lock: Python's {@code multiprocessing.Condition}, as a
 * {@link java.util.concurrent.locks.Condition}. A thread of one process waits, a thread of
 * another signals it. Make one with {@link ProcessLock#newCondition()}; it travels with a task
 * that captures it, as the lock does.
 *
 * <pre>{@code
 * ProcessLock lock = new ProcessLock();
 * ProcessCondition ready = lock.newCondition();
 * Process.target(() -> {
 *     lock.lock();
 *     try {
 *         while (!isReady()) {                     // a predicate on state the processes share
 *             ready.await();
 *         }
 *     } finally {
 *         lock.unlock();
 *     }
 * }).start();
 * lock.lock();
 * try {
 *     makeReady();
 *     ready.signalAll();                           // wakes the child
 * } finally {
 *     lock.unlock();
 * }
 * }</pre>
 *
 * <p>As {@link Condition} says: every method must be called by the thread that holds the lock
 * ({@link IllegalMonitorStateException} if not); an {@code await} lets go of the lock while it
 * waits (of every hold, for a {@link ProcessRLock}) and holds it again, as many times, before it
 * returns or throws, whatever ended the wait. Python's {@code wait(timeout)} is
 * {@link #await(Duration)}, {@code notify()} {@link #signal()}, {@code notify_all()}
 * {@link #signalAll()}; Python's {@code wait_for(predicate)} is the loop above.
 *
 * <h2>Timeouts</h2>
 * {@link #await()} and {@link #awaitUninterruptibly()} wait for a signal as long as it takes; the
 * timed forms wait at most the time given, and a time of zero or less does not wait (nor let go of
 * the lock). Taking the lock back after a timed wait is not timed: as in the JDK, a timed
 * {@code await} can return later than its timeout, while another thread holds the lock.
 *
 * <h2>When processes die</h2>
 * A waiter whose process dies is dropped: a {@link #signal()} goes to a live waiter, never to
 * one that is gone. If the process that holds the lock dies, the lock is released (see
 * {@link ProcessLock}) and a waiter that was signalled takes it.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>Wake-ups can be spurious, as the JDK allows: wait in a loop on a predicate. In particular
 *   an interrupt ends {@link #awaitUninterruptibly()}'s wait from another process (the wait is
 *   cancelled over the wire), which then takes the lock back and returns with the interrupt
 *   status set.</li>
 *   <li>A signal is a call to the lock's holder, as every wait is: from any process but the
 *   holder, each is a round trip.</li>
 * </ul>
 *
 * <p>Thread-safe, and safe across processes.
 */
public final class ProcessCondition implements Condition, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final LockCalls lock;
    private final long id;

    ProcessCondition(LockCalls lock, long id) {
        this.lock = lock;
        this.id = id;
    }

    /**
     * Lets go of the lock and waits until signalled or interrupted, then holds the lock again.
     *
     * @throws InterruptedException if interrupted while waiting, or on entry; the lock is held
     *         again when this is thrown. A signal that raced the interrupt wins: the wait then
     *         returns normally with the interrupt status set, as the JDK's does.
     * @throws IllegalMonitorStateException if the current thread does not hold the lock
     * @throws HolderUnreachableException if the lock's holder has ended
     */
    @Override
    public void await() throws InterruptedException {
        await(Deadline.NONE);
    }

    /**
     * Waits as {@link #await()} does, but an interrupt does not end the wait (see Pitfalls); the
     * interrupt status is set when this returns if the thread was interrupted.
     *
     * @throws IllegalMonitorStateException if the current thread does not hold the lock
     */
    @Override
    public void awaitUninterruptibly() {
        boolean interrupted = Thread.interrupted();
        try {
            ByteBuffer reply;
            try {
                reply = lock.holder().call(HeldLock.AWAIT, request(), Deadline.NONE);
            } catch (InterruptedException e) {
                interrupted = true;
                reply = null; // cancelled after the holder let go of the lock: a spurious wake-up
            }
            if (reply != null && reply.get(0) == HeldLock.NOT_OWNER) {
                throw lock.notOwner("await on a condition of");
            }
            lock.reacquire();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Waits at most {@code nanosTimeout} nanoseconds for a signal; zero or less does not wait.
     *
     * @return the nanoseconds left of the timeout (zero or less when it ran out), measured once the
     *         lock is held again
     * @throws InterruptedException as {@link #await()}
     * @throws IllegalMonitorStateException if the current thread does not hold the lock
     */
    @Override
    public long awaitNanos(long nanosTimeout) throws InterruptedException {
        Deadline deadline = Deadline.afterNanos(nanosTimeout);
        await(deadline);
        return deadline.isNone() ? Long.MAX_VALUE : deadline.remainingNanos();
    }

    /**
     * Waits at most {@code time} for a signal; zero or less does not wait.
     *
     * @return false if the time ran out before a signal came
     * @throws InterruptedException as {@link #await()}
     * @throws IllegalMonitorStateException if the current thread does not hold the lock
     */
    @Override
    public boolean await(long time, TimeUnit unit) throws InterruptedException {
        return await(Deadline.afterNanos(unit.toNanos(time)));
    }

    /**
     * Waits at most {@code timeout} for a signal; zero or less does not wait: Python's
     * {@code wait(timeout)}.
     *
     * @return false if the time ran out before a signal came
     * @throws InterruptedException as {@link #await()}
     * @throws IllegalMonitorStateException if the current thread does not hold the lock
     */
    public boolean await(Duration timeout) throws InterruptedException {
        return await(Deadline.after(timeout));
    }

    /**
     * Waits for a signal until {@code deadline} (wall-clock); one already past does not wait.
     *
     * @return false if the deadline passed before a signal came
     * @throws InterruptedException as {@link #await()}
     * @throws IllegalMonitorStateException if the current thread does not hold the lock
     */
    @Override
    public boolean awaitUntil(Date deadline) throws InterruptedException {
        Objects.requireNonNull(deadline, "deadline");
        return await(Deadline.afterNanos(
                TimeUnit.MILLISECONDS.toNanos(deadline.getTime() - System.currentTimeMillis())));
    }

    /**
     * Wakes the thread that has waited longest on this condition, in any process, if any waits.
     * It runs again once it holds the lock, after the current thread lets go of it.
     *
     * @throws IllegalMonitorStateException if the current thread does not hold the lock
     */
    @Override
    public void signal() {
        signal(false);
    }

    /**
     * Wakes every thread waiting on this condition, in every process.
     *
     * @throws IllegalMonitorStateException if the current thread does not hold the lock
     */
    @Override
    public void signalAll() {
        signal(true);
    }

    @Override
    public String toString() {
        return "ProcessCondition[of " + lock + "]";
    }

    /** @return whether a signal came (false: the deadline passed) */
    private boolean await(Deadline deadline) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before waiting on a condition of the " + lock.kind());
        }
        ByteBuffer reply;
        try {
            reply = lock.holder().call(HeldLock.AWAIT, request(), deadline);
        } catch (InterruptedException e) {
            // The holder let go of the lock before it waited; the JDK holds it again before throwing.
            lock.reacquire();
            throw e;
        }
        if (reply == null) {
            return false; // the deadline had passed: nothing let go, nothing to take back
        }
        byte status = reply.get(0);
        if (status == HeldLock.NOT_OWNER) {
            throw lock.notOwner("await on a condition of");
        }
        lock.reacquire();
        return status == HeldLock.SIGNALLED;
    }

    private void signal(boolean all) {
        byte[] request = ByteBuffer.allocate(9).putLong(id).put((byte) (all ? 1 : 0)).array();
        if (lock.holder().callNow(HeldLock.SIGNAL, request).get(0) == HeldLock.NOT_OWNER) {
            throw lock.notOwner(all ? "signalAll a condition of" : "signal a condition of");
        }
    }

    private byte[] request() {
        return ByteBuffer.allocate(8).putLong(id).array();
    }
}
