package dev.spindle.process.sync;

import java.io.Serial;
import java.io.UncheckedIOException;

/**
 * A {@link ProcessSemaphore} that refuses to hold more permits than it started with: Python's
 * {@code multiprocessing.BoundedSemaphore}. A {@link #release()} that would pass the initial count
 * throws {@link IllegalStateException} (Python's {@code ValueError}) and changes nothing: it
 * catches code that releases what it never acquired.
 *
 * <p>Everything else is as {@link ProcessSemaphore} says, including that permits a process
 * acquired are not given back when it dies; releasing them for it is allowed while the count is
 * below the bound.
 */
public final class ProcessBoundedSemaphore extends ProcessSemaphore {

    @Serial
    private static final long serialVersionUID = 1L;

    private final int bound;

    /**
     * A bounded semaphore with {@code permits} permits, which is also the most it will hold, held
     * by this process: Python's {@code BoundedSemaphore(value)}.
     *
     * @throws IllegalArgumentException if {@code permits} is negative
     * @throws UncheckedIOException if this process cannot serve the semaphore (its hub cannot start)
     */
    public ProcessBoundedSemaphore(int permits) {
        super(checked(permits), permits);
        this.bound = permits;
    }

    /** The most permits the semaphore holds: the count it started with. */
    public int bound() {
        return bound;
    }

    private static int checked(int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("a bounded semaphore's permits cannot be negative: " + permits);
        }
        return permits;
    }
}
