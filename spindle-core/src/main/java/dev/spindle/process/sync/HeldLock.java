package dev.spindle.process.sync;

import dev.spindle.internal.Deadline;
import dev.spindle.process.wire.Caller;
import dev.spindle.process.wire.Caller.Owner;
import dev.spindle.process.wire.Peer;
import dev.spindle.process.wire.ServedObject;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A lock itself, in the process that created it, with its conditions: served to every process
 * that uses a {@link ProcessLock} or {@link ProcessRLock} (and their {@link ProcessCondition}s).
 * The owner is a thread of a process ({@link Owner}); the peer its acquisition came over is kept,
 * so that the lock is released when that connection ends (the owner's process died).
 *
 * <h2>Conditions</h2>
 * A condition wait is two calls: {@link #AWAIT} enqueues the waiter, releases the lock (its whole
 * hold count, kept here as {@link Parked}) and waits for a signal or the deadline; the caller then
 * takes the lock back with {@link #ACQUIRE} in {@link #REACQUIRE} mode, without a deadline, as
 * {@link java.util.concurrent.locks.Condition} requires. Two calls rather than one so that a long
 * wait for the lock after a timed-out await is an ordinary untimed call on the wire.
 * {@code AWAIT} returns null (nothing released) only when its deadline had passed on entry; once
 * it has released the lock it replies, or throws {@link InterruptedException}, and the caller
 * must take the lock back either way.
 */
final class HeldLock implements ServedObject {

    /** Call: payload {@code mode:1} ({@link #LOCK} or {@link #REACQUIRE}); reply {@link #OK}; null when timed out. */
    static final byte ACQUIRE = 1;
    /** Call: reply {@link #OK} or {@link #NOT_OWNER}. */
    static final byte RELEASE = 2;
    /** Call: reply {@code locked:1 callerHolds:4 ownerDied:8} (the last two for the caller's own hold). */
    static final byte STATE = 3;
    /** Call: payload {@code condition:8}; reply {@link #SIGNALLED}, {@link #TIMED_OUT} or {@link #NOT_OWNER}. */
    static final byte AWAIT = 4;
    /** Call: payload {@code condition:8 all:1}; reply {@link #OK} or {@link #NOT_OWNER}. */
    static final byte SIGNAL = 5;

    static final byte LOCK = 0;
    static final byte REACQUIRE = 1;

    static final byte OK = 1;
    static final byte NOT_OWNER = 2;
    static final byte SIGNALLED = 3;
    static final byte TIMED_OUT = 4;

    private static final System.Logger LOG = System.getLogger(HeldLock.class.getName());

    private final boolean reentrant;
    private final String kind;
    private final ReentrantLock guard = new ReentrantLock();
    private final Condition free = guard.newCondition();
    private final Map<Long, ArrayDeque<Waiter>> conditions = new HashMap<>();
    private final Map<Owner, Parked> parked = new HashMap<>();
    private Owner owner;
    private Peer ownerPeer;
    private int holds;
    /** The dead process the current owner's acquisition followed, or 0. */
    private long ownerDied;
    /** A dead process whose lock nobody has taken since, or 0. */
    private long diedUnclaimed;

    /** A thread waiting on a condition. */
    private static final class Waiter {
        final Peer peer;
        final Condition woken;
        boolean signalled;

        Waiter(Peer peer, Condition woken) {
            this.peer = peer;
            this.woken = woken;
        }
    }

    /** The hold count an awaiting thread gave up, to take back with the lock. */
    private record Parked(Peer peer, int holds) {
    }

    HeldLock(boolean reentrant) {
        this.reentrant = reentrant;
        this.kind = reentrant ? "ProcessRLock" : "ProcessLock";
    }

    @Override
    public byte[] call(Caller caller, byte op, ByteBuffer payload, Deadline deadline) throws Exception {
        return switch (op) {
            case ACQUIRE -> acquire(caller, payload.get() == REACQUIRE, deadline);
            case RELEASE -> release(caller);
            case STATE -> state(caller);
            case AWAIT -> await(caller, payload.getLong(), deadline);
            case SIGNAL -> signal(caller, payload.getLong(), payload.get() != 0);
            default -> throw new UnsupportedOperationException("a lock has no operation " + op);
        };
    }

    @Override
    public void peerEnded(Peer peer) {
        guard.lock();
        try {
            if (owner != null && ownerPeer == peer) {
                LOG.log(System.Logger.Level.WARNING, "process " + peer.pid() + " ended holding a " + kind
                        + " (" + describe() + "); released it. The next holder's previousOwnerDied() names the "
                        + "process: what the lock guarded may be half-updated");
                clearOwner();
                diedUnclaimed = peer.pid();
            }
            conditions.values().forEach(waiters -> waiters.removeIf(w -> w.peer == peer));
            conditions.values().removeIf(ArrayDeque::isEmpty);
            parked.values().removeIf(p -> p.peer() == peer);
        } finally {
            guard.unlock();
        }
    }

    private byte[] acquire(Caller caller, boolean reacquire, Deadline deadline) throws InterruptedException {
        Owner me = caller.owner();
        guard.lock();
        try {
            if (me.equals(owner)) {
                if (!reentrant) {
                    throw new IllegalStateException("this thread (" + me.thread() + " of process " + me.pid()
                            + ") already holds this ProcessLock, which is not reentrant: locking it again would "
                            + "never return (Python's Lock hangs here). Use a ProcessRLock to lock it more than once");
                }
                if (holds == Integer.MAX_VALUE) {
                    throw new IllegalStateException("a ProcessRLock cannot be held more than " + Integer.MAX_VALUE
                            + " times by one thread");
                }
                holds++;
                return reply(OK);
            }
            while (owner != null) {
                if (!deadline.await(free) && owner != null) {
                    return null;
                }
            }
            if (caller.peer() != null && caller.peer().hasEnded()) {
                // Its process is gone: a grant now would hold the lock for no one.
                throw new IllegalStateException("process " + me.pid() + " ended while waiting for the lock");
            }
            owner = me;
            ownerPeer = caller.peer();
            Parked gaveUp = reacquire ? parked.remove(me) : null;
            holds = gaveUp == null ? 1 : gaveUp.holds();
            ownerDied = diedUnclaimed;
            diedUnclaimed = 0;
            return reply(OK);
        } finally {
            guard.unlock();
        }
    }

    private byte[] release(Caller caller) {
        guard.lock();
        try {
            if (!caller.owner().equals(owner)) {
                return reply(NOT_OWNER);
            }
            if (--holds == 0) {
                clearOwner();
            }
            return reply(OK);
        } finally {
            guard.unlock();
        }
    }

    private byte[] state(Caller caller) {
        guard.lock();
        try {
            boolean mine = caller.owner().equals(owner);
            return ByteBuffer.allocate(13).put((byte) (owner != null ? 1 : 0)).putInt(mine ? holds : 0)
                    .putLong(mine ? ownerDied : 0).array();
        } finally {
            guard.unlock();
        }
    }

    private byte[] await(Caller caller, long condition, Deadline deadline) throws InterruptedException {
        Owner me = caller.owner();
        guard.lock();
        try {
            if (!me.equals(owner)) {
                return reply(NOT_OWNER);
            }
            if (deadline.hasExpired()) {
                return null;
            }
            Waiter waiter = new Waiter(caller.peer(), guard.newCondition());
            conditions.computeIfAbsent(condition, c -> new ArrayDeque<>()).addLast(waiter);
            parked.put(me, new Parked(caller.peer(), holds));
            clearOwner();
            try {
                while (!waiter.signalled) {
                    if (!deadline.await(waiter.woken) && !waiter.signalled) {
                        leave(condition, waiter);
                        return reply(TIMED_OUT);
                    }
                }
                return reply(SIGNALLED);
            } catch (InterruptedException e) {
                if (waiter.signalled) {
                    // Signalled first: the signal is this waiter's, not lost; the interrupt stays for the caller.
                    Thread.currentThread().interrupt();
                    return reply(SIGNALLED);
                }
                leave(condition, waiter);
                throw e;
            }
        } finally {
            guard.unlock();
        }
    }

    private byte[] signal(Caller caller, long condition, boolean all) {
        guard.lock();
        try {
            if (!caller.owner().equals(owner)) {
                return reply(NOT_OWNER);
            }
            ArrayDeque<Waiter> waiters = conditions.get(condition);
            if (waiters != null) {
                for (Waiter w; (w = waiters.pollFirst()) != null; ) {
                    if (w.peer != null && w.peer.hasEnded()) {
                        continue; // its process is gone: the signal goes to a live waiter
                    }
                    w.signalled = true;
                    w.woken.signal();
                    if (!all) {
                        break;
                    }
                }
                if (waiters.isEmpty()) {
                    conditions.remove(condition);
                }
            }
            return reply(OK);
        } finally {
            guard.unlock();
        }
    }

    /** The guard is held. */
    private void leave(long condition, Waiter waiter) {
        ArrayDeque<Waiter> waiters = conditions.get(condition);
        if (waiters != null && waiters.remove(waiter) && waiters.isEmpty()) {
            conditions.remove(condition);
        }
    }

    /** The guard is held. */
    private void clearOwner() {
        owner = null;
        ownerPeer = null;
        holds = 0;
        ownerDied = 0;
        free.signalAll();
    }

    private String describe() {
        return "served by process " + ProcessHandle.current().pid();
    }

    private static byte[] reply(byte status) {
        return new byte[] {status};
    }
}
