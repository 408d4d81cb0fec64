package dev.spindle.process.queue;

import dev.spindle.internal.Deadline;
import dev.spindle.process.JavaSerializer;
import dev.spindle.process.Serializer;

import java.io.Serial;
import java.time.Duration;

/**
 * A {@link ProcessQueue} that counts unfinished work: Python's {@code JoinableQueue}. Every item
 * put adds one unfinished task; {@link #taskDone} (a consumer saying it has finished with an item
 * it took) takes one away; {@link #join} waits until none is left, in any process.
 *
 * <pre>{@code
 * ProcessJoinableQueue<String> work = new ProcessJoinableQueue<>();
 * Process.target(() -> {
 *     while (true) {
 *         String job = work.take();
 *         System.out.println("did " + job);
 *         work.taskDone();
 *     }
 * }).daemon(true).start();
 * work.put("a"); work.put("b");
 * work.join();                               // both done; the daemon consumer dies with this process
 * }</pre>
 *
 * <p>{@code taskDone} more often than items were put throws {@link IllegalStateException}
 * (Python's {@code ValueError}). A consumer that dies between {@code take} and {@code taskDone}
 * leaves its task unfinished: {@code join()} then waits for it forever, so use
 * {@link #join(Duration)} where consumers may die.
 *
 * @param <E> the type of the items
 */
public class ProcessJoinableQueue<E> extends ProcessQueue<E> {

    @Serial
    private static final long serialVersionUID = 1L;

    /** An unbounded joinable queue with the default serializer. */
    public ProcessJoinableQueue() {
        this(Integer.MAX_VALUE);
    }

    /** A joinable queue of at most {@code capacity} items. */
    public ProcessJoinableQueue(int capacity) {
        this(capacity, JavaSerializer.defaults());
    }

    /** A joinable queue of at most {@code capacity} items ({@link Integer#MAX_VALUE}: unbounded), crossing with {@code serializer}. */
    public ProcessJoinableQueue(int capacity, Serializer serializer) {
        super(capacity, serializer, true);
    }

    /**
     * Says that a task taken from the queue is finished: Python's {@code task_done()}.
     *
     * @throws IllegalStateException if called more times than items were put
     */
    public void taskDone() {
        checkOpen();
        callNow(HeldQueue.TASK_DONE, new byte[0]);
    }

    /** Waits until every item put has been marked done with {@link #taskDone}: Python's {@code join()}. */
    public void join() throws InterruptedException {
        checkOpen();
        handle.call(HeldQueue.JOIN, new byte[0], Deadline.NONE);
    }

    /**
     * Waits at most {@code timeout} until every item put has been marked done; zero or less does
     * not wait.
     *
     * @return whether every task was done in time
     */
    public boolean join(Duration timeout) throws InterruptedException {
        checkOpen();
        return handle.call(HeldQueue.JOIN, new byte[0], Deadline.after(timeout)) != null;
    }
}
