package dev.spindle.process.sync;

import dev.spindle.internal.Deadline;
import dev.spindle.process.HolderUnreachableException;

import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A flag that threads of many processes wait for: Python's {@code multiprocessing.Event}. One
 * process {@link #set()}s it and every thread waiting in {@link #await()}, in any process, goes
 * on; {@link #clear()} makes the next waiters wait again.
 *
 * <pre>{@code
 * ProcessEvent green = new ProcessEvent();
 * Process.target(() -> {
 *     green.await();                         // captured: waits for the parent's set()
 *     System.out.println("go");
 * }).start();
 * Thread.sleep(1000);
 * green.set();
 * }</pre>
 *
 * <p>The flag lives in the process that created the event (its <em>holder</em>); an event captured
 * by a task, or sent through a pipe or a queue, is the same event in the other process. It starts
 * clear. Python's {@code is_set()} is {@link #isSet()}, {@code wait()} {@link #await()},
 * {@code wait(timeout)} {@link #await(Duration)} (its {@code False} on timeout is {@code false}
 * here).
 *
 * <h2>Timeouts and interrupts</h2>
 * {@link #await()} waits as long as it takes; {@link #await(Duration)} and
 * {@link #await(long, TimeUnit)} at most the time given, and a time of zero or less does not wait
 * (it returns the flag). An interrupted wait throws {@link InterruptedException}, unless the flag
 * was seen set before the cancel reached the holder: then the wait returns normally, with the
 * interrupt status set.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>A wait only sees the flag set if it is still set when the holder tells the waiter: a
 *   {@code set()} followed at once by a {@code clear()} may wake no one in between. Waiters that
 *   were already waiting when {@code set()} ran are all woken, as in Python.</li>
 *   <li>When the holder ends, the event ends with it: every call from elsewhere then throws
 *   {@link HolderUnreachableException}.</li>
 * </ul>
 *
 * <p>Thread-safe, and safe across processes.
 */
public final class ProcessEvent implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final SyncHandle holder;

    /**
     * A new event, clear, held by this process.
     *
     * @throws UncheckedIOException if this process cannot serve the event (its hub cannot start)
     */
    public ProcessEvent() {
        this.holder = SyncHandle.serve(new HeldEvent(), "ProcessEvent");
    }

    /**
     * Sets the flag: every thread waiting, in every process, goes on, and later waits return at
     * once until {@link #clear()}.
     *
     * @throws HolderUnreachableException if the holder has ended
     */
    public void set() {
        holder.callNow(HeldEvent.SET, SyncHandle.NOTHING);
    }

    /** Clears the flag: later waits wait until the next {@link #set()}. */
    public void clear() {
        holder.callNow(HeldEvent.CLEAR, SyncHandle.NOTHING);
    }

    /** Whether the flag is set at this instant; other processes change it meanwhile. */
    public boolean isSet() {
        return holder.callNow(HeldEvent.IS_SET, SyncHandle.NOTHING).get(0) == HeldEvent.SET;
    }

    /**
     * Waits until the flag is set, as long as it takes; returns at once if it is set.
     *
     * @throws InterruptedException if interrupted on entry or while waiting
     * @throws HolderUnreachableException if the holder has ended
     */
    public void await() throws InterruptedException {
        await(Deadline.NONE);
    }

    /**
     * Waits at most {@code timeout} until the flag is set; zero or less does not wait.
     *
     * @return whether the flag was set (false: the time ran out)
     * @throws InterruptedException if interrupted on entry or while waiting
     */
    public boolean await(Duration timeout) throws InterruptedException {
        return await(Deadline.after(timeout));
    }

    /**
     * Waits at most {@code timeout} until the flag is set; zero or less does not wait.
     *
     * @return whether the flag was set (false: the time ran out)
     * @throws InterruptedException if interrupted on entry or while waiting
     */
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return await(Deadline.afterNanos(unit.toNanos(timeout)));
    }

    private boolean await(Deadline deadline) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before waiting for the ProcessEvent");
        }
        return holder.call(HeldEvent.AWAIT, SyncHandle.NOTHING, deadline) != null;
    }

    /** The pid of the process that holds (serves) the event. */
    public long holderPid() {
        return holder.holderPid();
    }

    @Override
    public String toString() {
        return "ProcessEvent[" + holder + "]";
    }
}
