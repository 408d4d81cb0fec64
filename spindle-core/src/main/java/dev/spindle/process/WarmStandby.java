package dev.spindle.process;

import dev.spindle.process.wire.ExitSequence;
import dev.spindle.process.wire.Hub;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@link StartMethod#WARM} standby set: idle child JVMs that have connected, authenticated
 * and warmed up, each waiting for a task. When none is ready the caller gets a freshly launched
 * one, so a burst never waits on the set. The set refills in the background: at once when it is
 * empty, otherwise when a taken child ends.
 *
 * <p>The set grows with demand: a start that finds it empty doubles its size, up to
 * {@code spindle.process.standby.max} (default 4), and {@link #prepare} sets a size outright. It
 * does not shrink: each standby is an idle JVM of about 60 MiB until this process exits.
 *
 * <p>Standby children die with this process: they read end-of-file on their standard input and
 * halt, and a shutdown hook kills them sooner.
 */
final class WarmStandby {

    private static final System.Logger LOG = System.getLogger(WarmStandby.class.getName());
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final java.util.concurrent.locks.Condition CHANGED = LOCK.newCondition();
    private static WarmStandby instance;

    /** The most standby JVMs {@link #prepare} may ask for, whatever the settings say. */
    static final int MOST = 64;

    private final Hub hub;
    /** How many standby JVMs the set keeps ready; guarded by {@link #LOCK}. */
    private int size;
    /** How far a start that finds the set empty may grow it. */
    private final int growthLimit;
    /**
     * How many standby JVMs boot at once: one per core. A JVM's boot is some 200 ms of CPU, and
     * more at once would take the cores from the processes that were started.
     */
    private final int launchingLimit = Runtime.getRuntime().availableProcessors();
    private final Deque<ChildJvm> idle = new ArrayDeque<>();
    private int launching;
    private boolean closed;

    private WarmStandby(Hub hub, int size, int growthLimit) {
        this.hub = hub;
        this.size = size;
        this.growthLimit = growthLimit;
        ExitSequence.at(ExitSequence.Step.STOP_STANDBY, this::killAll);
    }

    static WarmStandby get() throws IOException {
        LOCK.lock();
        try {
            if (instance == null) {
                int size = Math.clamp(Integer.getInteger("spindle.process.standby", 2), 0, MOST);
                int limit = Math.clamp(Integer.getInteger("spindle.process.standby.max", Math.max(4, size)), size, MOST);
                instance = new WarmStandby(Hub.get(), size, limit);
            }
            return instance;
        } finally {
            LOCK.unlock();
        }
    }

    /** A ready standby child if there is one, otherwise a freshly launched child; tops the set up. */
    ChildJvm take() throws IOException {
        ChildJvm ready = null;
        LOCK.lock();
        try {
            while (ready == null && !idle.isEmpty()) {
                ChildJvm candidate = idle.pollFirst();
                if (candidate.os.isAlive()) {
                    ready = candidate;
                }
            }
            if (ready == null) {
                size = grown(size, growthLimit);
            }
        } finally {
            LOCK.unlock();
        }
        ChildJvm child = ready != null ? ready : ChildJvm.launch(hub, false);
        // Refill when the set runs dry, else when the taken child ends: a JVM booting beside a
        // child that just started would take a core from it on a small machine.
        if (isEmpty()) {
            topUpInBackground();
        } else {
            child.os.onExit().thenRun(this::topUpInBackground);
        }
        return child;
    }

    /**
     * The set's size after a start found it empty: doubled, up to {@code growthLimit}, and never
     * smaller than it was (a size {@link #prepare} set above the limit stays).
     */
    static int grown(int size, int growthLimit) {
        return Math.max(size, Math.min(growthLimit, size * 2));
    }

    private boolean isEmpty() {
        LOCK.lock();
        try {
            return idle.isEmpty();
        } finally {
            LOCK.unlock();
        }
    }

    private void topUpInBackground() {
        Thread.ofVirtual().name("spindle-standby-refill").start(this::topUp);
    }

    /**
     * Sets the set's size to {@code count} (at most {@link #MOST}) if it is smaller, tops it up and
     * waits until the deadline for it to be full; returns whether it is. Checking the count is the
     * caller's.
     */
    boolean prepare(int count, Deadline deadline) throws InterruptedException {
        LOCK.lock();
        try {
            size = Math.max(size, Math.min(count, MOST));
        } finally {
            LOCK.unlock();
        }
        return awaitFull(deadline);
    }

    /** Tops the set up and waits until the deadline for it to be full; returns whether it is. */
    boolean awaitFull(Deadline deadline) throws InterruptedException {
        topUp();
        LOCK.lock();
        try {
            while (idle.size() < size && !closed) {
                if (!deadline.await(CHANGED)) {
                    return idle.size() >= size && !closed;
                }
            }
            return !closed;
        } finally {
            LOCK.unlock();
        }
    }

    /** Launches standby children until ready plus launching reaches the set's size. */
    void topUp() {
        LOCK.lock();
        try {
            idle.removeIf(c -> !c.os.isAlive());
            while (!closed && idle.size() + launching < size && launching < launchingLimit) {
                launching++;
                ChildJvm child;
                try {
                    child = ChildJvm.launch(hub, true);
                } catch (IOException e) {
                    launching--;
                    LOG.log(System.Logger.Level.WARNING, "could not start a standby JVM; WARM starts will spawn instead", e);
                    return;
                }
                child.peer.whenComplete((peer, error) -> arrived(child, error));
            }
        } finally {
            LOCK.unlock();
        }
    }

    private void arrived(ChildJvm child, Throwable error) {
        LOCK.lock();
        try {
            launching--;
            if (closed) {
                child.os.destroyForcibly();
            } else if (error == null) {
                idle.addLast(child);
                if (idle.size() + launching < size) {
                    topUpInBackground(); // the rest, which the launching limit held back
                }
            } else {
                LOG.log(System.Logger.Level.WARNING, "a standby JVM failed before it was ready", error);
            }
            CHANGED.signalAll();
        } finally {
            LOCK.unlock();
        }
    }

    /** Kills the standby children now, for tests that check no JVM outlives them. */
    static void killAllForTests() {
        LOCK.lock();
        try {
            if (instance != null) {
                instance.killAll();
            }
        } finally {
            LOCK.unlock();
        }
    }

    private void killAll() {
        LOCK.lock();
        try {
            closed = true;
            idle.forEach(c -> c.os.destroyForcibly());
            idle.clear();
        } finally {
            LOCK.unlock();
        }
    }
}
