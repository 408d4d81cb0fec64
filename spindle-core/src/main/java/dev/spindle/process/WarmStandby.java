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
 * <p>Standby children die with this process: they read end-of-file on their standard input and
 * halt, and a shutdown hook kills them sooner.
 */
final class WarmStandby {

    private static final System.Logger LOG = System.getLogger(WarmStandby.class.getName());
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final java.util.concurrent.locks.Condition CHANGED = LOCK.newCondition();
    private static WarmStandby instance;

    private final Hub hub;
    private final int size;
    private final Deque<ChildJvm> idle = new ArrayDeque<>();
    private int launching;
    private boolean closed;

    private WarmStandby(Hub hub, int size) {
        this.hub = hub;
        this.size = size;
        ExitSequence.at(ExitSequence.Step.STOP_STANDBY, this::killAll);
    }

    static WarmStandby get() throws IOException {
        LOCK.lock();
        try {
            if (instance == null) {
                instance = new WarmStandby(Hub.get(), Integer.getInteger("spindle.process.standby", 2));
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
            while (!closed && idle.size() + launching < size) {
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
