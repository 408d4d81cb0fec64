package dev.spindle.sync;

import dev.spindle.internal.Deadline;

import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A body that yields values and is sent values back: Python's generator driven by {@code send()},
 * as in the seeds' {@code x = yield y} coroutines. The body runs on a virtual thread, only between
 * a {@link #send} and its next {@code yield_}.
 *
 * <pre>{@code
 * Coroutine<Double, Double> average = Coroutine.of(co -> {
 *     double total = 0;
 *     int count = 0;
 *     Double avg = null;
 *     while (true) {
 *         double x = co.yield_(avg);       // x = yield avg
 *         total += x;
 *         avg = total / ++count;
 *     }
 * });
 * average.start();                          // next(coro): runs to the first yield
 * average.send(10.0);                       // 10.0
 * average.send(30.0);                       // 20.0
 * average.close();                          // coro.close(): the body unwinds at its yield
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 * Made, the body has not run; {@link #start()} runs it to its first {@code yield_} and returns what
 * it yielded; each {@link #send} resumes it with a value and returns the next yield. When the body
 * returns, {@code send} throws {@link NoSuchElementException} (Python's {@code StopIteration}).
 * {@link #close()} ends it at its {@code yield_}, which throws inside the body (Python's
 * {@code GeneratorExit}) so that its {@code finally} blocks run. A coroutine dropped without a
 * close is closed when it is collected: no thread is left behind.
 *
 * <p>Meant for one caller at a time; calls are serialized by a lock.
 */
public final class Coroutine<I, O> implements AutoCloseable {

    /** The body's side: what it yields with, and what it is sent. */
    public interface Channel<I, O> {
        /**
         * Gives {@code value} to the caller's {@code send} (or {@code start}) and waits to be
         * sent the next value, which it returns ({@code x = yield value}).
         */
        I yield_(O value);
    }

    /** The code of a coroutine. */
    @FunctionalInterface
    public interface Body<I, O> {
        void run(Channel<I, O> channel) throws Exception;
    }

    private static final Cleaner CLEANER = Cleaner.create(Thread.ofPlatform().name("spindle-coroutine-cleaner")
            .daemon(true).factory());
    private static final AtomicInteger NUMBERS = new AtomicInteger();

    private final Rendezvous<I, O> rendezvous = new Rendezvous<>();
    private final Body<I, O> body;
    private final String name;
    private final Cleaner.Cleanable cleanable;
    private final java.util.concurrent.locks.ReentrantLock startLock = new java.util.concurrent.locks.ReentrantLock();
    private volatile boolean started;

    private Coroutine(Body<I, O> body, String name) {
        this.body = body;
        this.name = name;
        Rendezvous<I, O> r = rendezvous;
        this.cleanable = CLEANER.register(this, r::close);
    }

    /** A coroutine that runs {@code body} on a virtual thread named {@code coroutine-<n>}. */
    public static <I, O> Coroutine<I, O> of(Body<I, O> body) {
        return new Coroutine<>(Objects.requireNonNull(body, "body"), "coroutine-" + NUMBERS.incrementAndGet());
    }

    /**
     * Runs the body to its first {@code yield_} and returns what it yielded ({@code next(coro)},
     * or {@code coro.send(None)}).
     *
     * @throws IllegalStateException when it was started before, or the body failed
     * @throws NoSuchElementException when the body returned without yielding
     */
    public O start() throws InterruptedException {
        startLock.lock();
        try {
            if (started) {
                throw new IllegalStateException(name + " has started already; send it values");
            }
            started = true;
        } finally {
            startLock.unlock();
        }
        launch(rendezvous, body, name);
        return resume(null, Deadline.NONE);
    }

    /**
     * Starts {@code body} on a virtual thread that holds the rendezvous but not the coroutine (or
     * generator) around it, so that a dropped one can be collected and cleaned.
     */
    static <I, O> void launch(Rendezvous<I, O> r, Body<I, O> body, String threadName) {
        Thread.ofVirtual().name(threadName).start(() -> {
            Throwable failure = null;
            try {
                r.start();
                body.run(r::suspend);
            } catch (Throwable t) {
                failure = t;
            } finally {
                r.end(failure);
            }
        });
    }

    /**
     * Resumes the body with {@code value} and returns what it yields next.
     *
     * @throws IllegalStateException when it has not started (Python refuses to send a value to a
     *     just-started generator), was closed, or the body failed (the cause is what it threw)
     * @throws NoSuchElementException when the body has returned ({@code StopIteration})
     */
    public O send(I value) throws InterruptedException {
        return resume(value, Deadline.NONE);
    }

    /**
     * {@link #send(Object)}, waiting at most {@code timeout} for the body to yield. Zero or
     * negative means do not wait.
     *
     * @throws TimeoutException when it did not yield in time; the body goes on, and the next
     *     send takes what it yields
     */
    public O send(I value, Duration timeout) throws InterruptedException, TimeoutException {
        return resumeTimed(value, Deadline.after(timeout));
    }

    private O resume(I value, Deadline deadline) throws InterruptedException {
        try {
            return resumeTimed(value, deadline);
        } catch (TimeoutException e) {
            throw new AssertionError("no deadline, yet timed out", e);
        }
    }

    private O resumeTimed(I value, Deadline deadline) throws InterruptedException, TimeoutException {
        if (!started) {
            throw new IllegalStateException(name + " has not started; call start() first");
        }
        return rendezvous.resume(value, deadline);
    }

    /** Whether the body has returned, failed or been closed. */
    public boolean isDone() {
        return rendezvous.ended();
    }

    /** Ends the body at its {@code yield_} (it unwinds, running its {@code finally} blocks). Idempotent. */
    @Override
    public void close() {
        cleanable.clean();
    }

    @Override
    public String toString() {
        return name + (isDone() ? " (done)" : started ? " (suspended)" : " (not started)");
    }
}
