package dev.spindle.process.queue;

import dev.spindle.internal.Deadline;
import dev.spindle.process.ClassNotAllowedException;
import dev.spindle.process.HolderUnreachableException;
import dev.spindle.process.JavaSerializer;
import dev.spindle.process.Serializer;
import dev.spindle.process.wire.ObjectHandle;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.AbstractQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A queue that many processes put into and take from at once: Python's
 * {@code multiprocessing.Queue}, as a {@link BlockingQueue}, so code written for the JDK's queues
 * works across processes unchanged.
 *
 * <pre>{@code
 * ProcessQueue<String> queue = new ProcessQueue<>(100);          // bounded; new ProcessQueue<>() is not
 * Process<Void> producer = Process.target(() -> {
 *     for (int i = 0; i < 10; i++) {
 *         queue.put("item " + i);                                  // captured: the child uses the same queue
 *     }
 * }).start();
 * String first = queue.poll(Duration.ofSeconds(30));                // null if nothing came in time
 * }</pre>
 *
 * <p>The queue lives in the process that created it (its <em>holder</em>); a queue captured by a
 * task, or sent through a pipe or another queue, reaches the same queue from the other process,
 * over that process's one connection to the holder. Items are copies: each is encoded with the
 * queue's {@link Serializer} ({@link JavaSerializer#defaults()} unless given) when it is put and
 * decoded when it is taken, so an item's class must be on the serializer's allow-list of the
 * process that takes it.
 *
 * <h2>Blocking and timeouts</h2>
 * As {@link BlockingQueue} says: {@link #put} and {@link #take} wait as long as it takes;
 * {@link #offer(Object, long, TimeUnit)}, {@link #poll(long, TimeUnit)} and their
 * {@link Duration} forms wait at most the time given, and a time of zero or less does not wait at
 * all; {@link #offer(Object)}, {@link #poll()} and {@link #peek()} never wait. Python's
 * {@code queue.Full} is {@code offer} returning false (or {@link #add} throwing
 * {@link IllegalStateException}); {@code queue.Empty} is {@code poll} returning {@code null}.
 *
 * <h2>Order</h2>
 * Items leave in the order they arrived at the holder; one producer's items arrive in the order it
 * put them. A consumer process is sent items a batch at a time, ahead of its takes; when another
 * consumer must wait meanwhile, the holder recalls what the first has not taken, back to its place
 * in the queue. So with one consumer process the order is exact. With several, each process takes
 * its items in put order, and the holder never sends a process an item after one put later than it;
 * which process gets which item is not fixed (as with several consumers in Python, whose
 * interleaving nobody controls either). Python's end-marker pattern works as there: put one marker
 * per consumer after the work, and once every consumer has taken its marker, no item put before
 * the markers is left behind.
 *
 * <h2>When processes die</h2>
 * <ul>
 *   <li>An item is in the queue once {@code put} returns: a producer killed (even by SIGKILL)
 *   right after loses nothing. A producer killed in the middle of a {@code put} either put the
 *   whole item or nothing; the queue is never left corrupt and nobody else is blocked.</li>
 *   <li>A consumer killed in the middle of a {@code take} loses nothing: items its process had
 *   been sent ahead of time (it takes them in batches) go back to the head of the queue. An item
 *   that {@code take} had returned to a caller before the process died is gone with it, as it
 *   would be in one process.</li>
 *   <li>When the holder ends, the queue ends with it: every call from elsewhere then throws
 *   {@link HolderUnreachableException}. Create queues in the process that outlives their users
 *   (the parent, usually).</li>
 * </ul>
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>{@link #size()}, {@link #isEmpty()} and {@link #remainingCapacity()} are true for an
 *   instant: other processes change the queue meanwhile (Python's {@code qsize()} says the
 *   same).</li>
 *   <li>A place in a bounded queue that a take in another process frees is free once the holder
 *   hears of the take, an instant after that take returns. A process that learns of the take
 *   some other way (a task's result, a pipe) may still find the queue full for that instant:
 *   {@link #put} or a timed {@link #offer(Object, long, TimeUnit)} waits for it, where
 *   {@link #offer(Object)} would refuse.</li>
 *   <li>{@link #iterator()} walks a snapshot; it cannot remove. {@code remove(Object)} and
 *   {@code contains} work on that snapshot too, and {@code remove(Object)} is unsupported.</li>
 *   <li>From any process but the holder, a bounded {@code put} is a round trip to the holder;
 *   an unbounded one is not (it is sent, and returns once in the kernel on its way). Prefer an
 *   unbounded queue where throughput matters and memory does not.</li>
 * </ul>
 *
 * <p>Thread-safe, and safe across processes.
 *
 * @param <E> the type of the items
 */
public class ProcessQueue<E> extends AbstractQueue<E> implements BlockingQueue<E>, Serializable, AutoCloseable {

    @Serial
    private static final long serialVersionUID = 1L;

    final ObjectHandle handle;
    private final Serializer serializer;
    private final int capacity;
    private transient Borrowed borrowed;
    private transient ReentrantLock borrowing;
    private transient volatile boolean closed;

    /** An unbounded queue with the default serializer: Python's {@code Queue()}. */
    public ProcessQueue() {
        this(Integer.MAX_VALUE);
    }

    /** A queue of at most {@code capacity} items: Python's {@code Queue(maxsize)}. */
    public ProcessQueue(int capacity) {
        this(capacity, JavaSerializer.defaults());
    }

    /**
     * A queue of at most {@code capacity} items ({@link Integer#MAX_VALUE}: unbounded) whose items
     * cross with {@code serializer}.
     *
     * @throws IllegalArgumentException if {@code capacity} is not positive
     * @throws UncheckedIOException if this process cannot serve the queue (its hub cannot start)
     */
    public ProcessQueue(int capacity, Serializer serializer) {
        this(capacity, serializer, false);
    }

    ProcessQueue(int capacity, Serializer serializer, boolean joinable) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("a queue's capacity must be positive, not " + capacity
                    + " (Python's maxsize=0 is new ProcessQueue<>(), unbounded)");
        }
        this.capacity = capacity;
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        try {
            this.handle = ObjectHandle.serve(new HeldQueue(capacity, joinable));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve a queue from this process: " + e.getMessage(), e);
        }
        this.borrowing = new ReentrantLock();
    }

    /** The most items the queue holds; {@link Integer#MAX_VALUE} when unbounded. */
    public int capacity() {
        return capacity;
    }

    /** The pid of the process that holds the queue. */
    public long holderPid() {
        return handle.holderPid();
    }

    /**
     * Puts {@code item}, waiting as long as it takes for room.
     *
     * @throws InterruptedException if interrupted while waiting; the item was not put
     * @throws HolderUnreachableException if the holder has ended
     */
    @Override
    public void put(E item) throws InterruptedException {
        if (!offer(item, Deadline.NONE)) {
            throw new IllegalStateException("the queue refused an item while waiting without a limit");
        }
    }

    /** Puts {@code item} if there is room now; returns false (Python's {@code queue.Full}) if not. */
    @Override
    public boolean offer(E item) {
        try {
            return offer(item, Deadline.afterNanos(0));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Puts {@code item}, waiting at most {@code timeout} for room; zero or less does not wait. */
    @Override
    public boolean offer(E item, long timeout, TimeUnit unit) throws InterruptedException {
        return offer(item, Deadline.afterNanos(unit.toNanos(timeout)));
    }

    /** Puts {@code item}, waiting at most {@code timeout} for room; zero or less does not wait. */
    public boolean offer(E item, Duration timeout) throws InterruptedException {
        return offer(item, Deadline.after(timeout));
    }

    private boolean offer(E item, Deadline deadline) throws InterruptedException {
        byte[] bytes = encode(item);
        checkOpen();
        if (capacity == Integer.MAX_VALUE) {
            handle.oneWay(HeldQueue.PUT_NOW, bytes, 0, bytes.length);
            return true;
        }
        return handle.call(HeldQueue.PUT, bytes, deadline) != null;
    }

    /**
     * Takes the head of the queue, waiting as long as it takes for one.
     *
     * @throws InterruptedException if interrupted while waiting; nothing was taken
     * @throws IllegalStateException if the item cannot be decoded here ({@link ClassNotAllowedException} as cause)
     */
    @Override
    public E take() throws InterruptedException {
        return poll(Deadline.NONE);
    }

    /** Takes the head of the queue if there is one now; {@code null} (Python's {@code queue.Empty}) if not. */
    @Override
    public E poll() {
        try {
            return poll(Deadline.afterNanos(0));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Takes the head, waiting at most {@code timeout}; {@code null} when none came. Zero or less does not wait. */
    @Override
    public E poll(long timeout, TimeUnit unit) throws InterruptedException {
        return poll(Deadline.afterNanos(unit.toNanos(timeout)));
    }

    /** Takes the head, waiting at most {@code timeout}; {@code null} when none came. Zero or less does not wait. */
    public E poll(Duration timeout) throws InterruptedException {
        return poll(Deadline.after(timeout));
    }

    private E poll(Deadline deadline) throws InterruptedException {
        checkOpen();
        if (handle.isLocal()) {
            ByteBuffer reply = handle.call(HeldQueue.TAKE, takeRequest(0, 1), deadline);
            return reply == null ? null : decode(HeldQueue.decode(reply).get(0));
        }
        Borrowed loan = loan();
        while (true) {
            byte[] item = loan.poll();
            if (item != null) {
                return decode(item);
            }
            // The holder never waits for a consumer elsewhere: it sends what it has, and what comes later.
            // A recall after this take and before the wait stops that sending too, so it is counted from here.
            long recalls = loan.recalls();
            long received = loan.received();
            int lent = handle.call(HeldQueue.TAKE, takeRequest(loan.id(), Borrowed.BATCH), Deadline.afterNanos(0))
                    .getInt();
            if (lent > 0) {
                loan.awaitReceived(received + lent, recalls); // sent before the reply: they are on their way
                continue;
            }
            if (!loan.await(deadline, recalls)) {
                return null;
            }
        }
    }

    private static byte[] takeRequest(long borrower, int max) {
        return ByteBuffer.allocate(12).putLong(borrower).putInt(max).array();
    }

    /** The head of the queue, left there; {@code null} when empty. Never waits. */
    @Override
    public E peek() {
        Iterator<E> items = iterator();
        return items.hasNext() ? items.next() : null;
    }

    /** How many items are in the queue at this instant (see Pitfalls). */
    @Override
    public int size() {
        return sizes().getInt(0);
    }

    /** How many more items fit at this instant; {@link Integer#MAX_VALUE} when unbounded. */
    @Override
    public int remainingCapacity() {
        return sizes().getInt(4);
    }

    private ByteBuffer sizes() {
        checkOpen();
        return callNow(HeldQueue.SIZE, new byte[0]);
    }

    /** Takes every item there is now into {@code target}; returns how many. Never waits. */
    @Override
    public int drainTo(Collection<? super E> target) {
        return drainTo(target, Integer.MAX_VALUE);
    }

    /** Takes up to {@code maxElements} items there are now into {@code target}; returns how many. Never waits. */
    @Override
    public int drainTo(Collection<? super E> target, int maxElements) {
        Objects.requireNonNull(target, "target");
        if (target == this) {
            throw new IllegalArgumentException("cannot drain a queue into itself");
        }
        checkOpen();
        int n = 0;
        if (borrowed != null) {
            for (byte[] item; n < maxElements && (item = borrowed.poll()) != null; n++) {
                target.add(decode(item));
            }
        }
        if (n < maxElements) {
            for (byte[] item : HeldQueue.decode(callNow(HeldQueue.DRAIN,
                    ByteBuffer.allocate(4).putInt(maxElements - n).array()))) {
                target.add(decode(item));
                n++;
            }
        }
        return n;
    }

    /** A snapshot of the items, head first; its iterator cannot remove. */
    @Override
    public Iterator<E> iterator() {
        checkOpen();
        List<E> items = new ArrayList<>();
        for (byte[] item : HeldQueue.decode(callNow(HeldQueue.SNAPSHOT, new byte[0]))) {
            items.add(decode(item));
        }
        return java.util.Collections.unmodifiableList(items).iterator();
    }

    /**
     * This process will use the queue no more: Python's {@code Queue.close()}. Items sent here
     * ahead of time go back to the queue; later calls from this object throw
     * {@link IllegalStateException}. Other processes, and other copies of the queue, go on.
     */
    @Override
    public void close() {
        closed = true;
        ReentrantLock guard = borrowing();
        guard.lock();
        try {
            if (borrowed != null) {
                borrowed.close();
                borrowed = null;
            }
        } finally {
            guard.unlock();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + handle + (capacity == Integer.MAX_VALUE ? "" : ", capacity "
                + capacity) + (closed ? ", closed" : "") + "]";
    }

    /** A call that does not wait for the queue (it may wait for the holder to answer). */
    ByteBuffer callNow(byte op, byte[] payload) {
        try {
            return handle.call(op, payload, Deadline.afterNanos(0));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking the queue's holder, process "
                    + handle.holderPid(), e);
        }
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this queue was closed in this process; use another copy, or none");
        }
    }

    private Borrowed loan() {
        ReentrantLock guard = borrowing();
        guard.lock();
        try {
            if (borrowed == null) {
                borrowed = Borrowed.of(handle);
            }
            return borrowed;
        } finally {
            guard.unlock();
        }
    }

    private ReentrantLock borrowing() {
        return borrowing;
    }

    private byte[] encode(E item) {
        Objects.requireNonNull(item, "a queue holds no null items (BlockingQueue's rule)");
        try {
            return serializer.encode(item);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot put " + item.getClass().getName() + " into the queue: "
                    + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private E decode(byte[] item) {
        try {
            return (E) serializer.decode(item);
        } catch (IOException e) {
            throw new IllegalStateException("an item taken from the queue cannot be decoded here: " + e.getMessage()
                    + (e instanceof ClassNotAllowedException ? "; give the queue a serializer that allows it" : ""), e);
        }
    }

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        borrowing = new ReentrantLock();
    }
}
