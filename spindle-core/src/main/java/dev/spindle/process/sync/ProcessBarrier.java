package dev.spindle.process.sync;

import dev.spindle.internal.Deadline;
import dev.spindle.process.HolderUnreachableException;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A meeting point for a fixed number of parties, threads of any processes: Python's
 * {@code multiprocessing.Barrier}, with {@link java.util.concurrent.CyclicBarrier}'s rules and
 * exceptions. Each {@link #await()} waits until {@link #getParties()} threads have called it; then
 * all go on, and the barrier can be used again.
 *
 * <pre>{@code
 * ProcessBarrier start = new ProcessBarrier(3);
 * for (int i = 0; i < 3; i++) {
 *     Process.target(() -> {
 *         prepare();
 *         start.await();                         // captured: the three children meet here
 *         race();
 *     }).start();
 * }
 * }</pre>
 *
 * <p>The barrier lives in the process that created it (its <em>holder</em>); a barrier captured by
 * a task, or sent through a pipe or a queue, is the same barrier in the other process.
 * {@code await} returns the arrival index as {@code CyclicBarrier}'s does: {@code getParties() - 1}
 * for the first to arrive, 0 for the last (Python counts the other way: its first gets 0; both
 * give each party a different index). Python's {@code wait(timeout)} is {@link #await(Duration)},
 * {@code n_waiting} {@link #getNumberWaiting()}, {@code broken} {@link #isBroken()},
 * {@code abort()} {@link #abort()}, {@code reset()} {@link #reset()}, and its
 * {@code BrokenBarrierError} is {@link BrokenBarrierException}. There is no barrier action.
 *
 * <h2>Broken</h2>
 * As with {@code CyclicBarrier}, a party that times out or is interrupted while it waits breaks
 * the barrier: every party waiting then, and every one that arrives later, gets a
 * {@link BrokenBarrierException} whose message says what broke it, until {@link #reset()}.
 *
 * <h2>When processes die</h2>
 * <b>Beyond Python</b>: a barrier whose party dies breaks for everyone waiting, with an
 * exception that names the dead process, instead of leaving them waiting forever. What counts as
 * a party, exactly:
 * <ul>
 *   <li>every process other than the holder that has a copy of the barrier: it counts from the
 *   moment the copy is deserialized there (a task that captured it, a message that carried it),
 *   which tells the holder; and</li>
 *   <li>every process other than the holder that called {@code await}.</li>
 * </ul>
 * When such a process ends (SIGKILL, a crash, or a normal exit; the holder sees its connection
 * end) while at least one party is waiting and the barrier is not broken, the barrier breaks, and
 * the waiters' {@link BrokenBarrierException} names its pid. When no one is waiting, its end
 * breaks nothing. The holder's own threads are not tracked: if the holder dies, the barrier is
 * gone ({@link HolderUnreachableException}).
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>The holder cannot tell a process that is done with the barrier from one that died before
 *   its next {@code await}: any process that has a copy breaks the barrier if it ends while
 *   others wait. One that only looks at {@link #getNumberWaiting()}, say, or parties that take
 *   turns (a child meets the parent once and exits while the parent already waits with the next
 *   child: its end may reach the holder after the parent arrived) break it too. Give the barrier
 *   only to processes that take part until the end, and let them end when no one waits.</li>
 *   <li>{@link #getNumberWaiting()} and {@link #isBroken()} are true for an instant.</li>
 * </ul>
 *
 * <p>Thread-safe, and safe across processes.
 */
public final class ProcessBarrier implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(ProcessBarrier.class.getName());
    private static final byte[] WAIT = {0};
    private static final byte[] NOW = {1};

    private final SyncHandle holder;
    private final int parties;

    /**
     * A barrier for {@code parties} parties, held by this process: Python's {@code Barrier(parties)}.
     *
     * @throws IllegalArgumentException if {@code parties} is less than 1
     * @throws UncheckedIOException if this process cannot serve the barrier (its hub cannot start)
     */
    public ProcessBarrier(int parties) {
        if (parties < 1) {
            throw new IllegalArgumentException("a barrier needs at least one party, not " + parties);
        }
        this.parties = parties;
        this.holder = SyncHandle.serve(new HeldBarrier(parties), "ProcessBarrier");
    }

    /**
     * Waits until every party has called {@code await}, as long as it takes.
     *
     * @return the arrival index: {@code getParties() - 1} for the first, 0 for the last
     * @throws InterruptedException if interrupted on entry or while waiting; the barrier is then
     *         broken for the others. If the barrier tripped before the interrupt reached the holder
     *         from another process, the index is returned instead, with the interrupt status set.
     * @throws BrokenBarrierException if the barrier is broken, or breaks while this waits (a
     *         party timed out, was interrupted or died, or {@link #reset()} or {@link #abort()} was
     *         called); the message says which
     * @throws HolderUnreachableException if the holder has ended
     */
    public int await() throws InterruptedException, BrokenBarrierException {
        try {
            return await(Deadline.NONE);
        } catch (TimeoutException e) {
            throw new IllegalStateException("a wait without a timeout timed out", e);
        }
    }

    /**
     * Waits at most {@code timeout} until every party has called {@code await}; zero or less does
     * not wait (unless this is the last party, the barrier then times out).
     *
     * @return the arrival index: {@code getParties() - 1} for the first, 0 for the last
     * @throws TimeoutException if the time ran out; the barrier is then broken, for this party
     *         and the others
     * @throws InterruptedException as {@link #await()}
     * @throws BrokenBarrierException as {@link #await()}
     */
    public int await(Duration timeout) throws InterruptedException, BrokenBarrierException, TimeoutException {
        return await(Deadline.after(timeout));
    }

    /**
     * Waits at most {@code timeout} until every party has called {@code await}; zero or less does
     * not wait. As {@link #await(Duration)}.
     */
    public int await(long timeout, TimeUnit unit) throws InterruptedException, BrokenBarrierException,
            TimeoutException {
        return await(Deadline.afterNanos(unit.toNanos(timeout)));
    }

    private int await(Deadline deadline) throws InterruptedException, BrokenBarrierException, TimeoutException {
        if (Thread.interrupted()) {
            ByteBuffer reply = holder.callNow(HeldBarrier.ABORT, ("a party of process " + ProcessHandle.current().pid()
                    + " was interrupted as it arrived at the barrier").getBytes(StandardCharsets.UTF_8));
            if (reply.get(0) == HeldBarrier.BROKEN) {
                Thread.currentThread().interrupt();
                throw broken(reply);
            }
            throw new InterruptedException("interrupted as it arrived at the ProcessBarrier, which it broke");
        }
        ByteBuffer reply = holder.call(HeldBarrier.AWAIT, deadline.hasExpired() ? NOW : WAIT, deadline);
        if (reply == null) {
            // The time ran out before the holder could wait: arrive now, which trips the barrier if
            // this is the last party, and times out (breaking it) if not.
            reply = holder.callNow(HeldBarrier.AWAIT, NOW);
        }
        return switch (reply.get()) {
            case HeldBarrier.TRIPPED -> reply.getInt();
            case HeldBarrier.BROKEN -> throw broken(reply);
            case HeldBarrier.TIMED_OUT -> throw new TimeoutException("no " + parties + " parties met at the "
                    + "ProcessBarrier in time; it is broken now, for the others too (reset() it to use it again)");
            default -> throw new IllegalStateException("the barrier's holder sent an unknown reply " + reply.get(0));
        };
    }

    /** The number of parties needed to trip the barrier. */
    public int getParties() {
        return parties;
    }

    /** How many parties wait at the barrier at this instant. */
    public int getNumberWaiting() {
        return holder.callNow(HeldBarrier.STATE, SyncHandle.NOTHING).getInt(0);
    }

    /** Whether the barrier is broken at this instant (see the class's Broken). */
    public boolean isBroken() {
        return holder.callNow(HeldBarrier.STATE, SyncHandle.NOTHING).get(4) != 0;
    }

    /**
     * Breaks the barrier if parties wait (they get {@link BrokenBarrierException}) and makes it
     * ready for use again, as {@code CyclicBarrier.reset()} does.
     */
    public void reset() {
        holder.callNow(HeldBarrier.RESET, SyncHandle.NOTHING);
    }

    /**
     * Breaks the barrier: parties waiting, and those that arrive until {@link #reset()}, get
     * {@link BrokenBarrierException}. Python's {@code abort()}; does nothing if it is broken already.
     */
    public void abort() {
        holder.callNow(HeldBarrier.ABORT, ("aborted by process " + ProcessHandle.current().pid())
                .getBytes(StandardCharsets.UTF_8));
    }

    /** The pid of the process that holds (serves) the barrier. */
    public long holderPid() {
        return holder.holderPid();
    }

    @Override
    public String toString() {
        return "ProcessBarrier[" + holder + ", " + parties + " parties]";
    }

    private static BrokenBarrierException broken(ByteBuffer reply) {
        ByteBuffer reason = reply.position(1).slice();
        return new BrokenBarrierException("the ProcessBarrier is broken: " + StandardCharsets.UTF_8.decode(reason)
                + "; reset() it to use it again");
    }

    /** Tells the holder that this process has the barrier now: see When processes die. */
    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        if (!holder.isLocal()) {
            try {
                holder.oneWay(HeldBarrier.ATTACH, SyncHandle.NOTHING);
            } catch (RuntimeException e) {
                // The holder is gone or unreachable: every use of this copy will say so.
                LOG.log(System.Logger.Level.DEBUG, "could not tell process " + holder.holderPid()
                        + " that this process has its barrier: " + e);
            }
        }
    }
}
