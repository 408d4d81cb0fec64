package dev.spindle.sync;

import dev.spindle.internal.Deadline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Tasks on threads of their own that end together: gevent's {@code spawn} and {@code joinall}, on
 * the JDK's stable API (not the preview {@code StructuredTaskScope}). Virtual threads by default;
 * {@link #open(String, Thread.Builder)} takes platform threads for work that would pin a carrier.
 *
 * <pre>{@code
 * try (TaskGroup group = TaskGroup.open("fetch")) {
 *     Task<String> a = group.spawn(() -> fetch(urlA));
 *     Task<String> b = group.spawn(() -> fetch(urlB));
 *     group.joinAll(Duration.ofSeconds(2));   // gevent.joinall(timeout=2)
 *     a.value().ifPresent(System.out::println);
 * }                                          // whatever still runs is cancelled
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 * Open until {@link #close()}. The first task that fails cancels the others (their threads are
 * interrupted, and a task that was cancelled reads {@link Task.State#CANCELLED}), and later
 * spawns are cancelled at once; {@link #failure()} names it. {@link #close()} cancels what still
 * runs and waits, up to a second, for the threads to end.
 *
 * <h2>Pitfalls</h2>
 * Cancelling interrupts: a task that ignores interrupts (a busy loop, a blocking call that is not
 * interruptible) keeps its thread until it ends on its own; {@link #close()} then returns after
 * its second with that thread still running, and {@link Task#state()} still reads
 * {@link Task.State#CANCELLED}.
 *
 * <p>A blocking native call, such as a name look-up ({@code InetAddress.getAllByName}), holds a
 * virtual thread's carrier for as long as it blocks: a group of many slow look-ups on virtual
 * threads waits in turns of as many carriers as there are cores. Give such work platform threads:
 * {@code TaskGroup.open("resolve", Thread.ofPlatform().daemon(true))}.
 *
 * <p>Thread-safe; tasks may spawn siblings.
 */
public final class TaskGroup implements AutoCloseable {

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(1);

    private final String name;
    private final Thread.Builder threads;
    private final List<Task<?>> tasks = new ArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition finished = lock.newCondition();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicInteger numbers = new AtomicInteger();
    private boolean closed;

    private TaskGroup(String name, Thread.Builder threads) {
        this.name = Objects.requireNonNull(name, "name");
        this.threads = Objects.requireNonNull(threads, "threads");
    }

    /** A group on virtual threads, named {@code <name>-<n>}. */
    public static TaskGroup open(String name) {
        return new TaskGroup(name, Thread.ofVirtual());
    }

    /**
     * A group whose threads {@code threads} makes, named {@code <name>-<n>} (the builder's own
     * name is replaced). The group owns the builder from here on: it is not thread-safe.
     */
    public static TaskGroup open(String name, Thread.Builder threads) {
        return new TaskGroup(name, threads);
    }

    /**
     * Starts {@code body} on a new thread of the group ({@code gevent.spawn}).
     *
     * @throws IllegalStateException when the group is closed
     */
    public <T> Task<T> spawn(Callable<T> body) {
        Objects.requireNonNull(body, "body");
        Task<T> task = new Task<>(name + "-" + numbers.incrementAndGet());
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException(name + " is closed; open a new group");
            }
            tasks.add(task);
            if (failure.get() != null) {
                task.result.cancel(false);
                return task;
            }
            task.thread = threads.name(task.name()).unstarted(() -> run(task, body));
        } finally {
            lock.unlock();
        }
        task.thread.start();
        return task;
    }

    private <T> void run(Task<T> task, Callable<T> body) {
        try {
            T value = body.call();
            task.result.complete(value);
        } catch (Throwable t) {
            if (task.result.isCancelled() || (t instanceof InterruptedException && failure.get() != null)) {
                task.result.cancel(false);
            } else if (task.result.completeExceptionally(t) && failure.compareAndSet(null, t)) {
                cancelAll();
            }
        } finally {
            lock.lock();
            try {
                finished.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Cancels every task still running: marks it cancelled, then interrupts its thread. */
    private void cancelAll() {
        List<Task<?>> running;
        lock.lock();
        try {
            running = List.copyOf(tasks);
        } finally {
            lock.unlock();
        }
        for (Task<?> task : running) {
            if (task.result.cancel(false) && task.thread != null) {
                task.thread.interrupt();
            }
        }
    }

    /**
     * Waits up to {@code timeout} for every task spawned so far to finish, however it finishes
     * ({@code gevent.joinall(timeout=...)}). Zero or negative means do not wait: it only looks.
     *
     * @return whether they all finished in time
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public boolean joinAll(Duration timeout) throws InterruptedException {
        Deadline deadline = Deadline.after(timeout);
        lock.lockInterruptibly();
        try {
            while (!allThreadsDone()) {
                if (!deadline.await(finished)) {
                    return allThreadsDone();
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: whether every task's body has returned (a cancelled task's thread may still be ending). */
    private boolean allThreadsDone() {
        for (Task<?> task : tasks) {
            Thread t = task.thread;
            if (!task.isDone() || (t != null && t.isAlive())) {
                return false;
            }
        }
        return true;
    }

    /** The first failure, the one that cancelled the rest; empty while none has failed. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    /** The tasks spawned so far, in order. */
    public List<Task<?>> tasks() {
        lock.lock();
        try {
            return List.copyOf(tasks);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Cancels what still runs and waits up to a second for the threads to end; refuses new
     * spawns. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
        cancelAll();
        try {
            joinAll(CLOSE_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "TaskGroup " + name + " " + tasks();
    }
}
