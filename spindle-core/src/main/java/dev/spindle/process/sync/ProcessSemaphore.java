package dev.spindle.process.sync;

import dev.spindle.internal.Deadline;
import dev.spindle.process.HolderUnreachableException;

import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A count of permits that threads of many processes acquire and release: Python's
 * {@code multiprocessing.Semaphore}, with {@link java.util.concurrent.Semaphore}'s method names
 * and rules, so at most so many threads, of any processes, do something at once.
 *
 * <pre>{@code
 * ProcessSemaphore seats = new ProcessSemaphore(3);
 * for (int i = 0; i < 10; i++) {
 *     Process.target(() -> {
 *         seats.acquire();                  // captured: every child shares the three permits
 *         try {
 *             useTheToilet();               // at most three processes at once
 *         } finally {
 *             seats.release();
 *         }
 *     }).start();
 * }
 * }</pre>
 *
 * <p>The permits live in the process that created the semaphore (its <em>holder</em>); a semaphore
 * captured by a task, or sent through a pipe or a queue, is the same semaphore in the other
 * process. As in the JDK, permits belong to no one: any thread of any process may release, even
 * one that acquired nothing, and the count may start negative. Use a
 * {@link ProcessBoundedSemaphore} to catch releasing more than was acquired.
 *
 * <h2>Blocking and timeouts</h2>
 * {@link #acquire()} waits as long as it takes; {@link #acquireUninterruptibly()} too, but an
 * interrupt does not end its wait; {@link #tryAcquire(long, TimeUnit)} and
 * {@link #tryAcquire(Duration)} wait at most the time given, and a time of zero or less does not
 * wait at all; {@link #tryAcquire()} never waits. Python's {@code acquire(block=False)} is
 * {@code tryAcquire()}, {@code acquire(timeout=t)} is {@code tryAcquire(t)}. Waiters are not
 * served in order: as a JDK semaphore that is not fair, a later acquirer may take permits first.
 *
 * <h2>Interrupts</h2>
 * As {@link ProcessLock} says: an interrupted wait throws {@link InterruptedException} having
 * acquired nothing, unless the holder granted the permits before the cancel arrived from another
 * process; then the method returns normally, with the permits and the interrupt status set.
 *
 * <h2>When processes die</h2>
 * <ul>
 *   <li><b>Permits a process acquired are not given back when it dies</b> (even by SIGKILL): the
 *   holder cannot tell what they stood for, and a semaphore counts, it does not own. Any process
 *   may {@link #release()} them on its behalf. A process that dies while waiting acquires
 *   nothing.</li>
 *   <li>When the holder ends, the semaphore ends with it: every call from elsewhere then throws
 *   {@link HolderUnreachableException}.</li>
 * </ul>
 *
 * <p>Thread-safe, and safe across processes.
 */
public class ProcessSemaphore implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final SyncHandle holder;

    /**
     * A semaphore with {@code permits} permits (negative: that many releases must come before
     * anyone acquires), held by this process: Python's {@code Semaphore(value)}.
     *
     * @throws UncheckedIOException if this process cannot serve the semaphore (its hub cannot start)
     */
    public ProcessSemaphore(int permits) {
        this(permits, -1);
    }

    ProcessSemaphore(int permits, long bound) {
        this.holder = SyncHandle.serve(new HeldSemaphore(permits, bound), getClass().getSimpleName());
    }

    /**
     * Acquires a permit, waiting as long as it takes.
     *
     * @throws InterruptedException if interrupted on entry or while waiting (see Interrupts)
     * @throws HolderUnreachableException if the holder has ended
     */
    public void acquire() throws InterruptedException {
        acquire(1);
    }

    /**
     * Acquires {@code permits} permits at once, waiting as long as it takes.
     *
     * @throws IllegalArgumentException if {@code permits} is negative
     * @throws InterruptedException if interrupted on entry or while waiting (see Interrupts)
     */
    public void acquire(int permits) throws InterruptedException {
        tryAcquire(permits, Deadline.NONE);
    }

    /** Acquires a permit, waiting as long as it takes; an interrupt does not end the wait (its status is kept). */
    public void acquireUninterruptibly() {
        acquireUninterruptibly(1);
    }

    /**
     * Acquires {@code permits} permits at once, waiting as long as it takes; an interrupt does not
     * end the wait (its status is kept).
     *
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public void acquireUninterruptibly(int permits) {
        holder.callUninterruptibly(HeldSemaphore.ACQUIRE, count(permits), Deadline.NONE);
    }

    /**
     * Acquires a permit if one is free now; never waits.
     *
     * @return whether it was acquired
     */
    public boolean tryAcquire() {
        return tryAcquire(1);
    }

    /**
     * Acquires {@code permits} permits if that many are free now; never waits.
     *
     * @return whether they were acquired
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public boolean tryAcquire(int permits) {
        return holder.callNow(HeldSemaphore.ACQUIRE, count(permits)) != null;
    }

    /**
     * Acquires a permit, waiting at most {@code timeout}; zero or less does not wait.
     *
     * @return whether it was acquired
     * @throws InterruptedException if interrupted on entry or while waiting (see Interrupts)
     */
    public boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException {
        return tryAcquire(1, timeout, unit);
    }

    /**
     * Acquires {@code permits} permits at once, waiting at most {@code timeout}; zero or less does
     * not wait.
     *
     * @return whether they were acquired
     * @throws IllegalArgumentException if {@code permits} is negative
     * @throws InterruptedException if interrupted on entry or while waiting (see Interrupts)
     */
    public boolean tryAcquire(int permits, long timeout, TimeUnit unit) throws InterruptedException {
        return tryAcquire(permits, Deadline.afterNanos(unit.toNanos(timeout)));
    }

    /**
     * Acquires a permit, waiting at most {@code timeout}; zero or less does not wait.
     *
     * @return whether it was acquired
     * @throws InterruptedException if interrupted on entry or while waiting (see Interrupts)
     */
    public boolean tryAcquire(Duration timeout) throws InterruptedException {
        return tryAcquire(1, timeout);
    }

    /**
     * Acquires {@code permits} permits at once, waiting at most {@code timeout}; zero or less does
     * not wait.
     *
     * @return whether they were acquired
     * @throws IllegalArgumentException if {@code permits} is negative
     * @throws InterruptedException if interrupted on entry or while waiting (see Interrupts)
     */
    public boolean tryAcquire(int permits, Duration timeout) throws InterruptedException {
        return tryAcquire(permits, Deadline.after(timeout));
    }

    private boolean tryAcquire(int permits, Deadline deadline) throws InterruptedException {
        byte[] request = count(permits);
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before acquiring from the " + getClass().getSimpleName());
        }
        return holder.call(HeldSemaphore.ACQUIRE, request, deadline) != null;
    }

    /**
     * Releases a permit, waking a waiter if it can now go on.
     *
     * @throws IllegalStateException if the semaphore is bounded and would pass its bound
     * @throws HolderUnreachableException if the holder has ended
     */
    public void release() {
        release(1);
    }

    /**
     * Releases {@code permits} permits at once.
     *
     * @throws IllegalArgumentException if {@code permits} is negative
     * @throws IllegalStateException if the semaphore is bounded and would pass its bound, or if
     *         the count would pass {@link Integer#MAX_VALUE}
     * @throws HolderUnreachableException if the holder has ended
     */
    public void release(int permits) {
        holder.callNow(HeldSemaphore.RELEASE, count(permits));
    }

    /** How many permits are free at this instant: Python's {@code get_value()}. Other processes change it meanwhile. */
    public int availablePermits() {
        return holder.callNow(HeldSemaphore.AVAILABLE, SyncHandle.NOTHING).getInt(0);
    }

    /**
     * Acquires every permit free now and returns how many; if the count is negative, sets it to
     * zero and returns it (as the JDK's does). Never waits.
     */
    public int drainPermits() {
        return holder.callNow(HeldSemaphore.DRAIN, SyncHandle.NOTHING).getInt(0);
    }

    /** The pid of the process that holds (serves) the semaphore. */
    public long holderPid() {
        return holder.holderPid();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + holder + "]";
    }

    private static byte[] count(int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("a number of permits cannot be negative: " + permits);
        }
        return ByteBuffer.allocate(4).putInt(permits).array();
    }
}
