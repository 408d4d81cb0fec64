package dev.spindle.sync;

import dev.spindle.internal.Deadline;

import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Push-style code as a lazy {@link Iterator}: Python's generator function. The body calls
 * {@code yield_(x)} for each value; the caller iterates, and the body runs (on a virtual thread)
 * only to produce the next value asked for.
 *
 * <pre>{@code
 * try (Generator<Integer> fib = Generator.of(out -> {
 *     int a = 0, b = 1;
 *     while (true) {
 *         out.yield_(a);
 *         int next = a + b;
 *         a = b;
 *         b = next;
 *     }
 * })) {
 *     fib.stream().limit(10).forEach(System.out::println);
 * }
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 * The body starts at the first {@link #hasNext()} or {@link #next()}. When it returns, the
 * iteration ends; when it throws, {@code hasNext} throws {@link IllegalStateException} with what
 * it threw as the cause. {@link #close()} (and closing {@link #stream()}) ends the body at its
 * {@code yield_}, where it unwinds and runs its {@code finally} blocks, as Python's
 * {@code GeneratorExit}. A generator dropped half-way without a close is closed when it is
 * collected: no thread is left behind.
 *
 * <p>Meant for one consumer at a time, as any iterator.
 */
public final class Generator<T> implements Iterator<T>, AutoCloseable {

    /** The body's side. */
    public interface Output<T> {
        /** Hands {@code value} to the consumer and waits until it asks for the next one. */
        void yield_(T value);
    }

    /** The code of a generator. */
    @FunctionalInterface
    public interface Body<T> {
        void run(Output<T> out) throws Exception;
    }

    private static final Cleaner CLEANER = Cleaner.create(Thread.ofPlatform().name("spindle-generator-cleaner")
            .daemon(true).factory());
    private static final AtomicInteger NUMBERS = new AtomicInteger();

    private final Rendezvous<Void, T> rendezvous = new Rendezvous<>();
    private final Body<T> body;
    private final String name;
    private final Cleaner.Cleanable cleanable;
    private boolean started;
    private boolean buffered;
    private boolean finished;
    private T next;

    private Generator(Body<T> body, String name) {
        this.body = body;
        this.name = name;
        Rendezvous<Void, T> r = rendezvous;
        this.cleanable = CLEANER.register(this, r::close);
    }

    /** A generator that runs {@code body} on a virtual thread named {@code generator-<n>}. */
    public static <T> Generator<T> of(Body<T> body) {
        return new Generator<>(Objects.requireNonNull(body, "body"), "generator-" + NUMBERS.incrementAndGet());
    }

    /**
     * Whether the body yields another value; runs it until it does or returns.
     *
     * @throws IllegalStateException when the body threw (the cause), or the generator was closed
     */
    @Override
    public boolean hasNext() {
        try {
            return advance(Deadline.NONE);
        } catch (TimeoutException e) {
            throw new AssertionError("no deadline, yet timed out", e);
        }
    }

    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException(name + " has returned");
        }
        return take();
    }

    /**
     * The next value, waiting at most {@code timeout} for the body to yield it. Zero or negative
     * means do not wait.
     *
     * @throws TimeoutException when it did not yield in time; the body goes on, and the next call takes it
     * @throws NoSuchElementException when the body has returned
     */
    public T next(Duration timeout) throws TimeoutException {
        if (!advance(Deadline.after(timeout))) {
            throw new NoSuchElementException(name + " has returned");
        }
        return take();
    }

    /** Hands over the value {@link #advance} buffered. */
    private T take() {
        buffered = false;
        T value = next;
        next = null;
        return value;
    }

    private boolean advance(Deadline deadline) throws TimeoutException {
        if (buffered) {
            return true;
        }
        if (finished) {
            return false;
        }
        if (!started) {
            started = true;
            Body<T> b = body; // the body's thread must not hold this generator, or a dropped one is never cleaned
            Coroutine.launch(rendezvous, channel -> b.run(channel::yield_), name);
        }
        try {
            next = rendezvous.resume(null, deadline);
            buffered = true;
            return true;
        } catch (NoSuchElementException returned) {
            finished = true;
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + name + " produced its next value", e);
        }
    }

    /** The values still to come, as a sequential stream; closing the stream closes the generator. */
    public Stream<T> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED), false)
                .onClose(this::close);
    }

    /** Ends the body at its {@code yield_} (it unwinds, running its {@code finally} blocks). Idempotent. */
    @Override
    public void close() {
        finished = true;
        buffered = false;
        cleanable.clean();
    }

    @Override
    public String toString() {
        return name;
    }
}
