package dev.spindle.process.queue;

import dev.spindle.process.JavaSerializer;
import dev.spindle.process.Serializer;

import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;

/**
 * The smallest queue between processes: Python's {@code SimpleQueue}, unbounded, with
 * {@link #put}, {@link #get}, {@link #isEmpty} and {@link #close}. It is a {@link ProcessQueue}
 * underneath, with the same guarantees when processes die; use that where a
 * {@link java.util.concurrent.BlockingQueue} is wanted.
 *
 * @param <E> the type of the items
 */
public final class ProcessSimpleQueue<E> implements Serializable, AutoCloseable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final ProcessQueue<E> queue;

    /** A queue whose items cross with the default serializer. */
    public ProcessSimpleQueue() {
        this(JavaSerializer.defaults());
    }

    /** A queue whose items cross with {@code serializer}. */
    public ProcessSimpleQueue(Serializer serializer) {
        this.queue = new ProcessQueue<>(Integer.MAX_VALUE, serializer);
    }

    /** Puts {@code item}; never waits for room. */
    public void put(E item) throws InterruptedException {
        queue.put(item);
    }

    /** Takes the next item, waiting as long as it takes. */
    public E get() throws InterruptedException {
        return queue.take();
    }

    /** Takes the next item, waiting at most {@code timeout}; {@code null} when none came. Zero or less does not wait. */
    public E get(Duration timeout) throws InterruptedException {
        return queue.poll(timeout);
    }

    /** Whether the queue is empty at this instant. */
    public boolean isEmpty() {
        return queue.isEmpty();
    }

    /** This process will use the queue no more (see {@link ProcessQueue#close}). */
    @Override
    public void close() {
        queue.close();
    }

    @Override
    public String toString() {
        return "ProcessSimpleQueue[" + queue.handle + "]";
    }
}
