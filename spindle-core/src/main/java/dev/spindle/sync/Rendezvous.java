package dev.spindle.sync;

import dev.spindle.internal.Deadline;

import java.util.NoSuchElementException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hand-over between a caller and a body running on a virtual thread, one value each way at a
 * time: what {@link Coroutine} and {@link Generator} are made of. The body runs only between a
 * {@link #resume} and its next {@link #suspend}, so it is as lazy as Python's generator.
 *
 * <p>Holds no reference to the {@code Coroutine} or {@code Generator} around it, so that one the
 * caller drops can be collected and its cleaner can {@link #close()} the body's thread.
 */
final class Rendezvous<I, O> {

    /** Thrown inside the body at a {@code yield_} once the caller has closed it, to unwind it (Python's {@code GeneratorExit}). */
    static final class Closed extends RuntimeException {
        Closed() {
            super("closed by its caller", null, false, false);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private I input;
    private boolean inputWaiting;
    private O output;
    private boolean outputWaiting;
    private boolean ended;
    private Throwable failure;
    private boolean closed;

    /**
     * Caller's side: hands {@code value} to the body and waits for what it yields next.
     *
     * @throws NoSuchElementException when the body has returned
     * @throws IllegalStateException wrapping what the body threw
     * @throws TimeoutException when the body did not yield by the deadline (it goes on; the next
     *     resume takes what it yields)
     */
    O resume(I value, Deadline deadline) throws InterruptedException, TimeoutException {
        lock.lockInterruptibly();
        try {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            if (!outputWaiting && !ended) {
                input = value;
                inputWaiting = true;
                changed.signalAll();
            }
            while (!outputWaiting && !ended) {
                if (!deadline.await(changed)) {
                    throw new TimeoutException("the body did not yield in time");
                }
            }
            if (outputWaiting) {
                outputWaiting = false;
                O out = output;
                output = null;
                return out;
            }
            if (failure != null) {
                throw new IllegalStateException("the body failed: " + failure, failure);
            }
            throw new NoSuchElementException("the body has returned");
        } finally {
            lock.unlock();
        }
    }

    /** Body's side, before its first step: waits for the first resume and returns its value. */
    I start() {
        return awaitInput();
    }

    /** Body's side: hands {@code value} to the caller, then waits for the next resume and returns its value. */
    I suspend(O value) {
        lock.lock();
        try {
            if (closed) {
                throw new Closed();
            }
            output = value;
            outputWaiting = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return awaitInput();
    }

    private I awaitInput() {
        lock.lock();
        try {
            while (!inputWaiting) {
                if (closed) {
                    throw new Closed();
                }
                changed.awaitUninterruptibly();
            }
            if (closed) {
                throw new Closed();
            }
            inputWaiting = false;
            I in = input;
            input = null;
            return in;
        } finally {
            lock.unlock();
        }
    }

    /** Body's side: it returned, or threw {@code failure} (null when it returned). */
    void end(Throwable failure) {
        lock.lock();
        try {
            ended = true;
            if (!(failure instanceof Closed)) {
                this.failure = failure;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Caller's side: ends the body at its next (or current) suspension. Idempotent. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean ended() {
        lock.lock();
        try {
            return ended;
        } finally {
            lock.unlock();
        }
    }
}
