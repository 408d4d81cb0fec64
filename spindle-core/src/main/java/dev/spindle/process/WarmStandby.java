package dev.spindle.process;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@link StartMethod#WARM} standby set: idle child JVMs that have connected, authenticated
 * and warmed up, each waiting for a task. Taking one starts a replacement in the background;
 * when none is ready the caller gets a freshly launched one, so a burst never waits on the set.
 *
 * <p>Standby children die with this process: they read end-of-file on their standard input and
 * halt, and a shutdown hook kills them sooner.
 */
final class WarmStandby {

    private static final Logger LOG = Logger.getLogger(WarmStandby.class.getName());
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static WarmStandby instance;

    private final ProcessHub hub;
    private final int size;
    private final Deque<ChildJvm> idle = new ArrayDeque<>();
    private int launching;
    private boolean closed;

    private WarmStandby(ProcessHub hub, int size) {
        this.hub = hub;
        this.size = size;
        Runtime.getRuntime().addShutdownHook(new Thread(this::killAll, "spindle-standby-cleanup"));
    }

    static WarmStandby get() throws IOException {
        LOCK.lock();
        try {
            if (instance == null) {
                instance = new WarmStandby(ProcessHub.get(), Integer.getInteger("spindle.process.standby", 2));
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
        topUp();
        return child;
    }

    /** Whether a standby child is connected and waiting. */
    boolean hasReady() {
        LOCK.lock();
        try {
            return idle.stream().anyMatch(c -> c.os.isAlive());
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
                    LOG.log(Level.WARNING, "could not start a standby JVM; WARM starts will spawn instead", e);
                    return;
                }
                child.channel.whenComplete((channel, error) -> arrived(child, error));
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
                LOG.log(Level.WARNING, "a standby JVM failed before it was ready", error);
            }
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
