package dev.spindle.sync;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A semaphore that refuses to be released more often than it was acquired: Python's
 * {@code threading.BoundedSemaphore}, whose extra {@code release()} raises {@code ValueError}.
 * The JDK's {@link Semaphore} lets a stray release raise the count past its start, hiding the
 * bug; this one throws at the release that is one too many.
 *
 * <p>Thread-safe; acquisition is fair or not as chosen, as {@link Semaphore}'s.
 */
public final class BoundedSemaphore {

    private final int permits;
    private final Semaphore semaphore;
    /** Permits out: acquired and not yet released. */
    private final AtomicInteger out = new AtomicInteger();

    /**
     * @throws IllegalArgumentException when {@code permits < 1}
     */
    public BoundedSemaphore(int permits) {
        this(permits, false);
    }

    /**
     * @param fair whether waiting threads take permits in the order they asked
     * @throws IllegalArgumentException when {@code permits < 1}
     */
    public BoundedSemaphore(int permits, boolean fair) {
        if (permits < 1) {
            throw new IllegalArgumentException("a bounded semaphore needs at least one permit, got " + permits);
        }
        this.permits = permits;
        this.semaphore = new Semaphore(permits, fair);
    }

    /**
     * Takes a permit, waiting for one.
     *
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public void acquire() throws InterruptedException {
        semaphore.acquire();
        out.incrementAndGet();
    }

    /** Takes a permit if one is free now. */
    public boolean tryAcquire() {
        if (semaphore.tryAcquire()) {
            out.incrementAndGet();
            return true;
        }
        return false;
    }

    /**
     * Takes a permit, waiting up to {@code timeout}. Zero or negative means do not wait.
     *
     * @return whether a permit was taken
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public boolean tryAcquire(Duration timeout) throws InterruptedException {
        if (semaphore.tryAcquire(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS)) {
            out.incrementAndGet();
            return true;
        }
        return false;
    }

    /**
     * Returns a permit.
     *
     * @throws IllegalStateException when every permit is already back: a release without its
     *     acquire (Python's {@code ValueError: Semaphore released too many times})
     */
    public void release() {
        int n;
        do {
            n = out.get();
            if (n == 0) {
                throw new IllegalStateException("released more often than acquired: all " + permits
                        + " permits are already back; pair each release with an acquire");
            }
        } while (!out.compareAndSet(n, n - 1));
        semaphore.release();
    }

    /** Permits free now. */
    public int availablePermits() {
        return semaphore.availablePermits();
    }

    /** The number of permits it holds when none is out. */
    public int permits() {
        return permits;
    }

    @Override
    public String toString() {
        return "BoundedSemaphore[" + availablePermits() + " of " + permits + " free]";
    }
}
