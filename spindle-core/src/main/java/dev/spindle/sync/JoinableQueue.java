package dev.spindle.sync;

import dev.spindle.internal.Deadline;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A queue whose producer can wait until every item put in has been handled: Python's
 * {@code queue.Queue} with {@code task_done()} and {@code join()} (and gevent's
 * {@code JoinableQueue}), over any {@link BlockingQueue}. Each item put counts as one unfinished
 * task until a consumer calls {@link #taskDone()} for it.
 *
 * <pre>{@code
 * JoinableQueue<String> q = new JoinableQueue<>(new ArrayBlockingQueue<>(10));
 * // consumer:  while (true) { String item = q.take(); handle(item); q.taskDone(); }
 * // producer:  q.put("a"); q.put("b"); q.join();   // returns once both are handled
 * }</pre>
 *
 * <p>Thread-safe: the wrapped queue's guarantees, plus a lock for the count. Put items through
 * this object only; items added to the wrapped queue directly are not counted.
 */
public final class JoinableQueue<E> {

    private final BlockingQueue<E> queue;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition allDone = lock.newCondition();
    private long unfinished;

    public JoinableQueue(BlockingQueue<E> queue) {
        this.queue = Objects.requireNonNull(queue, "queue");
    }

    /**
     * Adds {@code item}, waiting for room.
     *
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public void put(E item) throws InterruptedException {
        counted();
        try {
            queue.put(item);
        } catch (InterruptedException | RuntimeException e) {
            uncounted();
            throw e;
        }
    }

    /** Adds {@code item} if there is room now; returns whether it did. */
    public boolean offer(E item) {
        counted();
        boolean added = false;
        try {
            added = queue.offer(item);
            return added;
        } finally {
            if (!added) {
                uncounted();
            }
        }
    }

    /**
     * Adds {@code item}, waiting up to {@code timeout} for room. Zero or negative means do not wait.
     *
     * @return whether it was added
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public boolean offer(E item, Duration timeout) throws InterruptedException {
        counted();
        boolean added = false;
        try {
            added = queue.offer(item, Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            return added;
        } finally {
            if (!added) {
                uncounted();
            }
        }
    }

    /**
     * Takes the next item, waiting for one.
     *
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public E take() throws InterruptedException {
        return queue.take();
    }

    /**
     * Takes the next item, waiting up to {@code timeout}. Zero or negative means do not wait.
     *
     * @return the item, or {@code null} when none came in time
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public E poll(Duration timeout) throws InterruptedException {
        return queue.poll(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
    }

    /**
     * Says one item taken from this queue has been handled.
     *
     * @throws IllegalStateException when called more often than items were put (Python's
     *     {@code ValueError: task_done() called too many times})
     */
    public void taskDone() {
        lock.lock();
        try {
            if (unfinished == 0) {
                throw new IllegalStateException("taskDone() called more often than items were put");
            }
            if (--unfinished == 0) {
                allDone.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until every item put has been handled ({@link #taskDone()} for each).
     *
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public void join() throws InterruptedException {
        join(Deadline.NONE);
    }

    /**
     * Waits up to {@code timeout} until every item put has been handled. Zero or negative means
     * do not wait: it only looks.
     *
     * @return whether all were handled
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public boolean join(Duration timeout) throws InterruptedException {
        return join(Deadline.after(timeout));
    }

    private boolean join(Deadline deadline) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (unfinished > 0) {
                if (!deadline.await(allDone)) {
                    return unfinished == 0;
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Items put and not yet marked done. */
    public long unfinishedTasks() {
        lock.lock();
        try {
            return unfinished;
        } finally {
            lock.unlock();
        }
    }

    /** Items waiting in the queue now. */
    public int size() {
        return queue.size();
    }

    private void counted() {
        lock.lock();
        try {
            unfinished++;
        } finally {
            lock.unlock();
        }
    }

    private void uncounted() {
        lock.lock();
        try {
            if (--unfinished == 0) {
                allDone.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }
}
