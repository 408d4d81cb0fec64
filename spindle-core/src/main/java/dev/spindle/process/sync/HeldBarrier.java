package dev.spindle.process.sync;

import dev.spindle.internal.Deadline;
import dev.spindle.process.wire.Caller;
import dev.spindle.process.wire.Peer;
import dev.spindle.process.wire.ServedObject;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A barrier itself, in the process that created it: served to every process that uses a
 * {@link ProcessBarrier}. Generations as in {@link java.util.concurrent.CyclicBarrier}: each trip
 * or reset starts a new one, and a broken generation stays broken, with its reason, until reset.
 *
 * <h2>Parties that die</h2>
 * The holder knows which processes have the barrier: a copy deserialized in another process says
 * so ({@link #ATTACH}), and so does every {@link #AWAIT} from one. When the connection of such a
 * process ends while any party waits, the generation breaks with a reason that names the process.
 */
final class HeldBarrier implements ServedObject {

    /**
     * Call: payload {@code now:1}; reply {@code TRIPPED index:4}, {@code BROKEN reason} or
     * {@code TIMED_OUT}. When the deadline has passed and the barrier cannot trip: with now = 0,
     * null, nothing changed; with now = 1, the arrival times out (and breaks the barrier).
     */
    static final byte AWAIT = 1;
    /** Call: reply {@code waiting:4 broken:1}. */
    static final byte STATE = 2;
    /** Call: reply {@link #OK}. */
    static final byte RESET = 3;
    /** Call: payload {@code reason}; breaks the barrier. Reply {@link #OK}, or {@code BROKEN reason} if it was broken already. */
    static final byte ABORT = 4;
    /** One-way: the calling process has a copy of the barrier. */
    static final byte ATTACH = 5;

    static final byte OK = 1;
    static final byte TRIPPED = 2;
    static final byte BROKEN = 3;
    static final byte TIMED_OUT = 4;

    private static final System.Logger LOG = System.getLogger(HeldBarrier.class.getName());

    private final int parties;
    private final ReentrantLock guard = new ReentrantLock();
    private final Condition changed = guard.newCondition();
    private final Set<Peer> attached = new HashSet<>();
    private Generation generation = new Generation();
    private int waiting;

    /** One use of the barrier; {@code broken} says why it broke, null while it has not. */
    private static final class Generation {
        String broken;
    }

    HeldBarrier(int parties) {
        this.parties = parties;
    }

    @Override
    public byte[] call(Caller caller, byte op, ByteBuffer payload, Deadline deadline) throws Exception {
        return switch (op) {
            case AWAIT -> await(caller, payload.get() != 0, deadline);
            case STATE -> state();
            case RESET -> reset();
            case ABORT -> abort(StandardCharsets.UTF_8.decode(payload).toString());
            default -> throw new UnsupportedOperationException("a barrier has no operation " + op);
        };
    }

    @Override
    public void oneWay(Caller caller, byte op, ByteBuffer payload) {
        if (op != ATTACH) {
            throw new UnsupportedOperationException("a barrier takes no message " + op);
        }
        attach(caller);
    }

    @Override
    public void peerEnded(Peer peer) {
        guard.lock();
        try {
            if (attached.remove(peer) && waiting > 0 && generation.broken == null) {
                breakForDeath("process " + peer.pid() + ", a party, ended while " + waiting + " of " + parties
                        + " parties waited");
            }
        } finally {
            guard.unlock();
        }
    }

    private void attach(Caller caller) {
        if (caller.isLocal()) {
            return;
        }
        guard.lock();
        try {
            if (!caller.peer().hasEnded()) {
                attached.add(caller.peer());
            }
        } finally {
            guard.unlock();
        }
    }

    private byte[] await(Caller caller, boolean now, Deadline deadline) throws InterruptedException {
        attach(caller);
        guard.lock();
        try {
            Generation g = generation;
            if (g.broken != null) {
                return broken(g.broken);
            }
            if (caller.peer() != null && caller.peer().hasEnded()) {
                breakForDeath(ended(caller, "as it arrived"));
                return broken(g.broken);
            }
            int index = parties - 1 - waiting;
            if (index == 0) {
                trip();
                return tripped(0);
            }
            if (deadline.hasExpired()) {
                if (!now) {
                    return null;
                }
                breakBarrier("a party of process " + caller.pid() + " timed out at the barrier");
                return new byte[] {TIMED_OUT};
            }
            waiting++;
            try {
                while (true) {
                    boolean inTime = deadline.await(changed);
                    if (g.broken != null) {
                        return broken(g.broken);
                    }
                    if (g != generation) {
                        return tripped(index);
                    }
                    if (!inTime) {
                        breakBarrier("a party of process " + caller.pid() + " timed out after waiting at the barrier");
                        return new byte[] {TIMED_OUT};
                    }
                }
            } catch (InterruptedException e) {
                if (g != generation || g.broken != null) {
                    // It tripped or broke first: that is the outcome; the interrupt stays for the caller.
                    Thread.currentThread().interrupt();
                    return g.broken != null ? broken(g.broken) : tripped(index);
                }
                if (caller.peer() != null && caller.peer().hasEnded()) {
                    breakForDeath(ended(caller, "while it waited"));
                } else {
                    breakBarrier("a party of process " + caller.pid() + " was interrupted while it waited at the barrier");
                }
                throw e;
            }
        } finally {
            guard.unlock();
        }
    }

    private byte[] state() {
        guard.lock();
        try {
            return ByteBuffer.allocate(5).putInt(waiting).put((byte) (generation.broken != null ? 1 : 0)).array();
        } finally {
            guard.unlock();
        }
    }

    private byte[] reset() {
        guard.lock();
        try {
            if (waiting > 0 && generation.broken == null) {
                breakBarrier("the barrier was reset while " + waiting + " of " + parties + " parties waited");
            }
            generation = new Generation();
            waiting = 0;
            return new byte[] {OK};
        } finally {
            guard.unlock();
        }
    }

    private byte[] abort(String reason) {
        guard.lock();
        try {
            if (generation.broken != null) {
                return broken(generation.broken);
            }
            breakBarrier(reason);
            return new byte[] {OK};
        } finally {
            guard.unlock();
        }
    }

    /** The guard is held. */
    private void trip() {
        generation = new Generation();
        waiting = 0;
        changed.signalAll();
    }

    /** The guard is held. */
    private void breakForDeath(String reason) {
        LOG.log(System.Logger.Level.WARNING, "broke a ProcessBarrier served by process "
                + ProcessHandle.current().pid() + ": " + reason);
        breakBarrier(reason);
    }

    /** The guard is held. */
    private void breakBarrier(String reason) {
        generation.broken = reason;
        waiting = 0;
        changed.signalAll();
    }

    private static String ended(Caller caller, String when) {
        return "process " + caller.pid() + ", a party, ended " + when;
    }

    private static byte[] tripped(int index) {
        return ByteBuffer.allocate(5).put(TRIPPED).putInt(index).array();
    }

    private static byte[] broken(String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + text.length).put(BROKEN).put(text).array();
    }
}
