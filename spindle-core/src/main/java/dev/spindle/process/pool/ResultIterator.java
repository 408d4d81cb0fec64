package dev.spindle.process.pool;

import dev.spindle.internal.Deadline;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The results of {@link ProcessPool#imap} or {@link ProcessPool#imapUnordered}, as they come:
 * Python's {@code IMapIterator}. Results stream back while later tasks run, in item order
 * ({@code imap}) or in the order they finish ({@code imapUnordered}).
 *
 * <p>The input is read lazily too, on a virtual thread of its own, and at most
 * {@value #LOOKAHEAD} chunks are sent ahead of what has been consumed: an endless input, or one
 * far larger than memory, is fine (Python's {@code imap} reads its whole input at once).
 *
 * <h2>Failures</h2>
 * A chunk that failed throws a {@link TaskFailedException} once, from the {@code next} call that
 * reaches it, in place of its items; iteration then goes on with the next chunk. With the default
 * chunk size of 1, that is one exception in place of one item.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>Close an iterator you stop reading early ({@link #close}, or the stream's {@code close}):
 *   that cancels the tasks not yet run and stops reading the input.</li>
 *   <li>{@link #hasNext} and {@link #next()} wait as long as it takes; {@link #next(Duration)}
 *   waits no longer than asked. Interrupted while waiting, they throw an
 *   {@link IllegalStateException} with the thread's interrupt status set.</li>
 * </ul>
 *
 * <p>For one consumer thread at a time.
 *
 * @param <T> the results' type
 */
public final class ResultIterator<T> implements Iterator<T>, AutoCloseable {

    /** The most chunks read from the input and not yet consumed. */
    static final int LOOKAHEAD = 4096;
    private static final int SUBMIT_BATCH = 256;

    private final Dispatcher dispatcher;
    private final boolean ordered;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Semaphore room = new Semaphore(LOOKAHEAD);
    private final Map<Integer, Object> arrived = new HashMap<>();
    private final ArrayDeque<Object> arrivals = new ArrayDeque<>();
    private final Map<Integer, PoolTask> outstanding = new HashMap<>();
    private final Runnable stopFeeding = this::stopFeeding;
    private Iterator<Object> current;
    private Throwable failure;
    /** Why reading the input or submitting its tasks stopped early; thrown once every fed chunk is consumed. */
    private Throwable inputFailure;
    private int nextChunk;
    private int consumed;
    private int fed;
    private boolean fedAll;
    private boolean closed;
    private Thread feeder;

    private record Failure(Throwable cause) {
    }

    ResultIterator(Dispatcher dispatcher, boolean ordered) {
        this.dispatcher = dispatcher;
        this.ordered = ordered;
    }

    /** Starts reading {@code input} in chunks that {@code chunker} turns into tasks. */
    void start(Iterator<?> input, int chunkSize, ChunkMaker chunker) {
        dispatcher.onTerminate(stopFeeding);
        feeder = Thread.ofVirtual().name(dispatcher.settings().name() + "-imap-feeder")
                .start(() -> feed(input, chunkSize, chunker));
    }

    /** Makes the task for one chunk of input. */
    interface ChunkMaker {
        PoolTask task(List<Object> chunk, int index, TaskSink sink) throws java.io.IOException;
    }

    private void feed(Iterator<?> input, int chunkSize, ChunkMaker chunker) {
        int index = 0;
        try {
            while (true) {
                room.acquire();
                List<PoolTask> batch = new ArrayList<>();
                boolean more = true;
                do {
                    List<Object> chunk = new ArrayList<>(chunkSize);
                    while (chunk.size() < chunkSize && input.hasNext()) {
                        chunk.add(input.next());
                    }
                    if (chunk.isEmpty()) {
                        room.release();
                        more = false;
                        break;
                    }
                    batch.add(chunker.task(chunk, index++, sink));
                } while (batch.size() < SUBMIT_BATCH && input.hasNext() && room.tryAcquire());
                if (!batch.isEmpty()) {
                    lock.lock();
                    try {
                        if (closed) {
                            return;
                        }
                        batch.forEach(t -> outstanding.put(t.index, t));
                        fed += batch.size();
                    } finally {
                        lock.unlock();
                    }
                    try {
                        dispatcher.submit(batch);
                    } catch (RuntimeException refused) {
                        lock.lock();
                        try {
                            batch.forEach(t -> outstanding.remove(t.index));
                            fed -= batch.size();
                        } finally {
                            lock.unlock();
                        }
                        throw refused;
                    }
                }
                if (!more || !input.hasNext()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            // Closed, or the pool terminated: nothing more is read.
        } catch (java.io.IOException | RuntimeException e) {
            lock.lock();
            try {
                inputFailure = e;
            } finally {
                lock.unlock();
            }
        } finally {
            dispatcher.removeOnTerminate(stopFeeding);
            lock.lock();
            try {
                fedAll = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Where this iterator's tasks end: a result on the thread that read it from its worker, a failure on the pool's result thread. */
    private final TaskSink sink = new TaskSink() {
        @Override
        public void succeeded(PoolTask task, List<Object> values) {
            arrive(task, values);
        }

        @Override
        public void failed(PoolTask task, Throwable cause) {
            arrive(task, new Failure(cause));
        }
    };

    private void arrive(PoolTask task, Object outcome) {
        lock.lock();
        try {
            outstanding.remove(task.index);
            if (ordered) {
                arrived.put(task.index, outcome);
            } else {
                arrivals.addLast(outcome);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether another result (or a failed chunk) is to come; waits until that is known. */
    @Override
    public boolean hasNext() {
        try {
            return advance(Deadline.NONE);
        } catch (InterruptedException e) {
            throw interrupted(e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(e); // never: no deadline
        }
    }

    /**
     * The next result; waits as long as it takes.
     *
     * @throws TaskFailedException in place of the items of a chunk that failed
     * @throws NoSuchElementException when every result has been returned
     */
    @Override
    public T next() {
        try {
            return next(Deadline.NONE);
        } catch (InterruptedException e) {
            throw interrupted(e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The next result, waiting at most {@code timeout}: Python's {@code next(timeout)}. Zero or
     * negative means do not wait.
     *
     * @throws TimeoutException if no result arrived in time (the tasks go on)
     * @throws TaskFailedException in place of the items of a chunk that failed
     * @throws NoSuchElementException when every result has been returned
     */
    public T next(Duration timeout) throws InterruptedException, TimeoutException {
        return next(Deadline.after(timeout));
    }

    @SuppressWarnings("unchecked")
    private T next(Deadline deadline) throws InterruptedException, TimeoutException {
        if (!advance(deadline)) {
            throw new NoSuchElementException("every result has been returned");
        }
        lock.lock();
        try {
            Throwable thrown = failure;
            if (thrown != null && (current == null || !current.hasNext())) {
                failure = null;
                throw new TaskFailedException(thrown);
            }
            return (T) current.next();
        } finally {
            lock.unlock();
        }
    }

    /** Makes a result or a failure ready to return; false at the end. */
    @SuppressWarnings("unchecked")
    private boolean advance(Deadline deadline) throws InterruptedException, TimeoutException {
        lock.lock();
        try {
            while (true) {
                if ((current != null && current.hasNext()) || failure != null) {
                    return true;
                }
                Object next = ordered ? arrived.remove(nextChunk) : arrivals.pollFirst();
                if (next != null) {
                    nextChunk++;
                    consumed++;
                    room.release();
                    if (next instanceof Failure f) {
                        failure = f.cause();
                    } else {
                        current = ((List<Object>) next).iterator();
                    }
                    continue;
                }
                if (!closed && fedAll && consumed == fed && inputFailure != null) {
                    failure = inputFailure; // the input failed, or the pool refused the rest: said once, at the end
                    inputFailure = null;
                    return true;
                }
                if (closed || (fedAll && consumed == fed)) {
                    return false;
                }
                if (!deadline.await(changed)) {
                    throw new TimeoutException("no result arrived within the time given; the tasks go on");
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** The results as a stream; closing it closes this iterator. */
    public Stream<T> stream() {
        int characteristics = ordered ? Spliterator.ORDERED : 0;
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, characteristics), false)
                .onClose(this::close);
    }

    /** Stops reading the input and cancels the tasks that have not run; results not yet read are dropped. */
    @Override
    public void close() {
        List<PoolTask> cancel;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            cancel = List.copyOf(outstanding.values());
            outstanding.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        stopFeeding();
        dispatcher.cancel(cancel, false);
    }

    private void stopFeeding() {
        Thread f = feeder;
        if (f != null) {
            f.interrupt();
        }
    }

    private static IllegalStateException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        return new IllegalStateException("interrupted while waiting for the next result", e);
    }
}
