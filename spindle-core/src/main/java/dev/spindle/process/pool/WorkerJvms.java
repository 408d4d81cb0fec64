package dev.spindle.process.pool;

import dev.spindle.process.Process;
import dev.spindle.process.wire.ObjectHandle;
import dev.spindle.process.wire.Peer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A pool's worker JVMs: which worker holds each slot, starting a worker in a slot (on a virtual
 * thread: a JVM takes long to start), stopping one (SIGTERM, then SIGKILL after the stop grace),
 * and finding a worker by its serial or its link. A slot's worker that is replaced (stopped,
 * retired) stays {@linkplain #live live} until its process has ended.
 *
 * <p>Guarded by the {@link Dispatcher}'s lock, which its own threads take too; it tells the
 * dispatcher when a worker's process has ended ({@link Dispatcher#ended}) or could not start.
 */
final class WorkerJvms {

    private static final System.Logger LOG = System.getLogger(WorkerJvms.class.getName());

    private final Dispatcher dispatcher;
    private final PoolSettings settings;
    private final ObjectHandle pool;
    private final ReentrantLock lock;
    private final ScheduledExecutorService timer;
    private final Worker[] slots;
    private final Set<Worker> live = new LinkedHashSet<>();
    private final Map<Long, Worker> bySerial = new HashMap<>();
    private final Map<Peer, Worker> byPeer = new IdentityHashMap<>();
    private long serials;
    private int startFailures;

    WorkerJvms(Dispatcher dispatcher, PoolSettings settings, ObjectHandle pool, ReentrantLock lock,
            ScheduledExecutorService timer) {
        this.dispatcher = dispatcher;
        this.settings = settings;
        this.pool = pool;
        this.lock = lock;
        this.timer = timer;
        this.slots = new Worker[settings.workers()];
    }

    /** The workers that hold a slot now (an entry is null only before the first start). */
    Worker[] slots() {
        return slots;
    }

    /** Every worker whose process has not ended, slot holders or not. A copy: safe to change the set while walking it. */
    List<Worker> live() {
        return List.copyOf(live);
    }

    boolean noneLive() {
        return live.isEmpty();
    }

    Worker bySerial(long serial) {
        return bySerial.get(serial);
    }

    Worker byPeer(Peer peer) {
        return byPeer.get(peer);
    }

    /** {@code w} said it is ready over {@code peer}. */
    void ready(Worker w, Peer peer) {
        w.peer = peer;
        byPeer.put(peer, w);
        startFailures = 0;
    }

    /** Counts a worker that failed before it was ready; returns how many in a row have. */
    int startFailed() {
        return ++startFailures;
    }

    /** The pids of the workers that are ready now, oldest first. */
    List<Long> readyPids() {
        List<Long> pids = new ArrayList<>();
        for (Worker w : live) {
            if (w.state == Worker.State.READY) {
                pids.add(w.pid());
            }
        }
        return pids;
    }

    /** Starts a worker in every slot. */
    void startAll() {
        for (int slot = 0; slot < slots.length; slot++) {
            start(slot);
        }
    }

    /** Starts a worker in {@code w}'s slot, unless {@code w} no longer holds it or the pool needs no more. */
    void replace(Worker w) {
        if (slots[w.slot] == w && dispatcher.needsWorkers()) {
            start(w.slot);
        }
    }

    /** Stops {@code w} now (SIGTERM, then SIGKILL after the grace) and starts a worker in its place. */
    void stop(Worker w, String reason) {
        if (w.state == Worker.State.STOPPING || w.state == Worker.State.ENDED) {
            return;
        }
        w.state = Worker.State.STOPPING;
        w.stopReason = reason;
        replace(w);
        Process<Void> p = w.process;
        if (p != null) {
            kill(p);
        }
    }

    /** {@code w}'s process has ended: it is no longer live or findable. */
    void forget(Worker w) {
        w.state = Worker.State.ENDED;
        live.remove(w);
        bySerial.remove(w.serial);
        if (w.peer != null) {
            byPeer.remove(w.peer);
        }
    }

    private void start(int slot) {
        Worker w = new Worker(++serials, slot);
        slots[slot] = w;
        live.add(w);
        bySerial.put(w.serial, w);
        WorkerLoop loop = new WorkerLoop(pool, w.serial, settings.initializer());
        Thread.ofVirtual().name(settings.name() + "-start-" + w.serial).start(() -> launch(w, loop));
    }

    private void launch(Worker w, WorkerLoop loop) {
        Process<Void> p = Process.target(loop).name(settings.name() + "-worker-" + w.serial).daemon(true);
        if (settings.startMethod() != null) {
            p.startMethod(settings.startMethod());
        }
        try {
            p.start();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, settings.name() + " could not start a worker", e);
            lock.lock();
            try {
                forget(w);
                dispatcher.startFailed("a worker JVM could not be started: " + e.getMessage(), e);
                if (slots[w.slot] == w && dispatcher.needsWorkers() && !timer.isShutdown()) {
                    long backoff = 100L << Math.min(startFailures, 5);
                    timer.schedule(() -> restart(w), backoff, TimeUnit.MILLISECONDS);
                }
                dispatcher.maybeTerminated();
            } finally {
                lock.unlock();
            }
            return;
        }
        lock.lock();
        try {
            w.process = p;
            if (w.state == Worker.State.STOPPING) {
                kill(p);
            }
        } finally {
            lock.unlock();
        }
        // On a thread of its own: ended() takes the dispatcher's lock, which a reaper or link reader must not wait for.
        p.onExit().whenComplete((x, error) -> Thread.ofVirtual().name(settings.name() + "-ended-" + w.serial)
                .start(() -> dispatcher.ended(w)));
        if (!timer.isShutdown()) {
            timer.schedule(() -> notReadyInTime(w), settings.startTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** A worker still starting after the start timeout (a JVM that hangs, an initializer that never returns) is stopped. */
    private void notReadyInTime(Worker w) {
        lock.lock();
        try {
            if (w.state == Worker.State.STARTING) {
                dispatcher.startFailed("worker pid " + w.pid() + " was not ready within "
                        + settings.startTimeout().toSeconds() + " s", null);
                stop(w, "because it was not ready within the pool's start timeout");
            }
        } finally {
            lock.unlock();
        }
    }

    private void restart(Worker w) {
        lock.lock();
        try {
            replace(w);
        } finally {
            lock.unlock();
        }
    }

    private void kill(Process<Void> p) {
        try {
            p.terminate();
        } catch (IllegalStateException e) {
            return;
        }
        if (!timer.isShutdown()) {
            timer.schedule(() -> {
                if (p.isAlive()) {
                    p.kill();
                }
            }, settings.stopGrace().toNanos(), TimeUnit.NANOSECONDS);
        }
    }
}
