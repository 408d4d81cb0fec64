package dev.spindle.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * The moment a blocking call gives up: Spindle's one rule for timeouts, written once.
 *
 * <ul>
 *   <li>A call given a {@link Duration} waits at most that long. <b>Zero or negative means "do not
 *       wait"</b>: the call succeeds only if it can without blocking, as
 *       {@link java.util.concurrent.Semaphore#tryAcquire(long, TimeUnit)} does. It never means
 *       "wait forever".</li>
 *   <li>A call without a timeout waits as long as it takes: {@link #NONE}.</li>
 * </ul>
 *
 * <p>A deadline is fixed when it is made and spans every step of the call (taking a lock, then
 * waiting for data, then writing a reply): each step waits only for what is left. Immutable and
 * thread-safe.
 */
public final class Deadline {

    /** No deadline: wait as long as it takes. */
    public static final Deadline NONE = new Deadline(Long.MAX_VALUE, true);

    private final long at;
    private final boolean none;

    private Deadline(long at, boolean none) {
        this.at = at;
        this.none = none;
    }

    /**
     * The deadline {@code timeout} from now; zero or negative has already passed.
     *
     * @throws NullPointerException if {@code timeout} is null
     */
    public static Deadline after(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return afterNanos(saturatedNanos(timeout));
    }

    /** The deadline {@code nanos} from now; zero or negative has already passed. */
    public static Deadline afterNanos(long nanos) {
        long now = System.nanoTime();
        if (nanos <= 0) {
            return new Deadline(now, false);
        }
        long at = now + nanos;
        // A timeout so long that the clock would wrap is no deadline at all.
        return at - now < 0 || nanos >= Long.MAX_VALUE / 2 ? NONE : new Deadline(at, false);
    }

    /** Whether this is {@link #NONE}. */
    public boolean isNone() {
        return none;
    }

    /** Nanoseconds left: {@link Long#MAX_VALUE} for {@link #NONE}, zero or less once passed. */
    public long remainingNanos() {
        return none ? Long.MAX_VALUE : at - System.nanoTime();
    }

    /** Whether the deadline has passed; never for {@link #NONE}. */
    public boolean hasExpired() {
        return !none && at - System.nanoTime() <= 0;
    }

    /**
     * Milliseconds for a wait that takes "0 = forever", such as {@link java.nio.channels.Selector#select(long)}:
     * 0 for {@link #NONE}, otherwise at least 1 (a wait rounded down to 0 would never end).
     * Check {@link #hasExpired()} first.
     */
    public long selectMillis() {
        if (none) {
            return 0;
        }
        long left = remainingNanos();
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(left) + (left % 1_000_000 == 0 ? 0 : 1));
    }

    /**
     * Takes {@code lock}, waiting until the deadline; interruptible in both forms.
     *
     * @return whether the lock is now held
     */
    public boolean lock(Lock lock) throws InterruptedException {
        if (none) {
            lock.lockInterruptibly();
            return true;
        }
        return lock.tryLock(Math.max(0, remainingNanos()), TimeUnit.NANOSECONDS);
    }

    /**
     * Waits on {@code condition} (whose lock the caller holds) until it is signalled or the
     * deadline passes. Callers loop on their own predicate, as with any condition wait.
     *
     * @return false when the deadline has passed
     */
    public boolean await(Condition condition) throws InterruptedException {
        if (none) {
            condition.await();
            return true;
        }
        long left = remainingNanos();
        if (left <= 0) {
            return false;
        }
        condition.awaitNanos(left);
        return !hasExpired();
    }

    /**
     * Waits for {@code future} until the deadline.
     *
     * @throws TimeoutException when the deadline passes first
     */
    public <T> T get(CompletableFuture<T> future) throws InterruptedException, ExecutionException, TimeoutException {
        if (none) {
            return future.get();
        }
        return future.get(Math.max(0, remainingNanos()), TimeUnit.NANOSECONDS);
    }

    /**
     * Waits for {@code process} to end until the deadline.
     *
     * @return whether it has ended
     */
    public boolean waitFor(java.lang.Process process) throws InterruptedException {
        if (none) {
            process.waitFor();
            return true;
        }
        return process.waitFor(Math.max(0, remainingNanos()), TimeUnit.NANOSECONDS);
    }

    /**
     * Waits for {@code thread} to end until the deadline.
     *
     * @return whether it has ended
     */
    public boolean join(Thread thread) throws InterruptedException {
        if (none) {
            thread.join();
            return true;
        }
        return thread.join(Duration.ofNanos(Math.max(0, remainingNanos())));
    }

    private static long saturatedNanos(Duration timeout) {
        try {
            return timeout.toNanos();
        } catch (ArithmeticException e) {
            return timeout.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    @Override
    public String toString() {
        return none ? "Deadline[none]" : "Deadline[in " + Duration.ofNanos(remainingNanos()) + "]";
    }
}
