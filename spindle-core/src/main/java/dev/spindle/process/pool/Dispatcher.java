package dev.spindle.process.pool;

import dev.spindle.internal.Deadline;
import dev.spindle.process.ChildException;
import dev.spindle.process.Process;
import dev.spindle.process.wire.Caller;
import dev.spindle.process.wire.ObjectHandle;
import dev.spindle.process.wire.Peer;
import dev.spindle.process.wire.ServedObject;
import dev.spindle.process.wire.ServedObjects;
import dev.spindle.process.wire.ValueCodec;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one pool under {@link ProcessPool} and {@link ProcessPoolExecutor}: a queue of tasks, the
 * worker JVMs, and who runs what. Served to its workers as an object of this process: they report
 * READY and DONE to it ({@link Frames}).
 *
 * <h2>Scheduling</h2>
 * Each ready worker is sent a window of tasks at once, so that it never waits for the next one;
 * the window holds about a millisecond of that worker's work (1 to 256 tasks; 1 until the worker
 * has answered once), and is topped up when half of it is done, in one message. Each task goes to
 * the least loaded ready worker, in submission order.
 *
 * <p>A task that runs long does not hold up the tasks sent to its worker behind it: once it has run
 * {@link #RECALL_AFTER_NANOS} while another worker has nothing to do and the queue is empty, those
 * tasks are recalled (the worker gives back the ones it has not started) and run elsewhere.
 *
 * <h2>Failures</h2>
 * A worker that dies fails the task it was running with a {@link WorkerDiedException}; the tasks
 * queued behind it go back to the head of the queue, and a new worker takes its slot. A task past
 * its timeout fails with a {@link TaskTimeoutException} at once, and its worker is stopped and
 * replaced. An initializer that throws breaks the pool ({@link BrokenPoolException}), as do
 * {@value #START_FAILURES_TO_BREAK} workers in a row that die before they are ready.
 *
 * <h2>Lifecycle</h2>
 * RUNNING → SHUTDOWN (takes no new tasks; runs those it has, then stops its workers) or
 * TERMINATING (fails what it has with a {@link CancellationException} and stops its workers now)
 * → TERMINATED (every worker has exited). A broken pool is TERMINATING.
 */
final class Dispatcher implements ServedObject {

    enum State { RUNNING, SHUTDOWN, TERMINATING, TERMINATED }

    static final int START_FAILURES_TO_BREAK = 3;
    /**
     * How long a worker's task may run, with tasks queued behind it and another worker idle,
     * before those tasks are recalled and run elsewhere.
     */
    static final long RECALL_AFTER_NANOS = 2_000_000;
    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());
    private static final int JOB_CACHE = 64;

    private final PoolSettings settings;
    private final ObjectHandle handle;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition terminated = lock.newCondition();
    private final ArrayDeque<PoolTask> queue = new ArrayDeque<>();
    private final Worker[] slots;
    private final Set<Worker> live = new LinkedHashSet<>();
    private final Map<Long, Worker> bySerial = new HashMap<>();
    private final Map<Peer, Worker> byPeer = new IdentityHashMap<>();
    /** Recently used functions, by identity: a loop of {@code applyAsync(f, x)} encodes {@code f} once. */
    private final ArrayDeque<Job> jobs = new ArrayDeque<>();
    private final AtomicLong taskIds = new AtomicLong();
    private final AtomicLong jobIds = new AtomicLong();
    private final ExecutorService results;
    private final ScheduledThreadPoolExecutor timer;
    private final List<Runnable> onTerminate = new ArrayList<>();
    private State state = State.RUNNING;
    private BrokenPoolException broken;
    private long serials;
    private int startFailures;
    private boolean recallCheckScheduled;

    Dispatcher(PoolSettings settings) throws IOException {
        this.settings = settings;
        this.slots = new Worker[settings.workers()];
        this.handle = ObjectHandle.serve(this);
        this.results = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name(settings.name() + "-results").factory());
        this.timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name(settings.name() + "-timer").factory());
        timer.setRemoveOnCancelPolicy(true);
        lock.lock();
        try {
            for (int slot = 0; slot < slots.length; slot++) {
                startWorker(slot);
            }
        } finally {
            lock.unlock();
        }
    }

    PoolSettings settings() {
        return settings;
    }

    /** The job for {@code function}: the one used last for the same object, else a newly encoded one. */
    Job job(Object function) throws IOException {
        lock.lock();
        try {
            for (Job job : jobs) {
                if (job.function == function) {
                    return job;
                }
            }
        } finally {
            lock.unlock();
        }
        Job job = Job.of(jobIds.incrementAndGet(), function, settings.serializer());
        lock.lock();
        try {
            jobs.addFirst(job);
            if (jobs.size() > JOB_CACHE) {
                jobs.removeLast();
            }
        } finally {
            lock.unlock();
        }
        return job;
    }

    PoolTask task(Job job, byte[] arguments, long timeoutNanos, TaskSink sink, int index) {
        return new PoolTask(taskIds.incrementAndGet(), job, arguments, timeoutNanos, sink, index);
    }

    /**
     * Queues {@code tasks} in order and sends what ready workers have room for.
     *
     * @throws RejectedExecutionException when the pool is shut down or broken
     */
    void submit(List<PoolTask> tasks) {
        List<Worker> touched;
        lock.lock();
        try {
            if (broken != null) {
                throw new RejectedExecutionException(broken.getMessage(), broken);
            }
            if (state != State.RUNNING) {
                throw new RejectedExecutionException(settings.name() + " is shut down and takes no new tasks");
            }
            queue.addAll(tasks);
            touched = assign();
        } finally {
            lock.unlock();
        }
        flush(touched);
    }

    /**
     * Cancels tasks: a queued one never runs; a running one, when {@code interrupt}, has its worker
     * stopped and replaced (the tasks queued behind it run elsewhere); otherwise it runs on and
     * its result is dropped.
     */
    void cancel(List<PoolTask> tasks, boolean interrupt) {
        lock.lock();
        try {
            for (PoolTask task : tasks) {
                if (!task.settle()) {
                    continue;
                }
                if (queue.remove(task)) {
                    continue;
                }
                for (Worker w : List.copyOf(live)) {
                    if (w.inFlight.peekFirst() == task && interrupt) {
                        stop(w, "because its task was cancelled");
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Takes no new tasks; runs those queued, then lets the workers exit. */
    void shutdown() {
        List<Worker> touched;
        lock.lock();
        try {
            if (state == State.RUNNING) {
                state = State.SHUTDOWN;
            }
            touched = retireIdle();
            maybeTerminated();
        } finally {
            lock.unlock();
        }
        flush(touched);
    }

    /**
     * Stops now: queued and running tasks fail with a {@link CancellationException}, workers are
     * stopped (SIGTERM, then SIGKILL after the stop grace).
     *
     * @return the tasks that never started
     */
    List<PoolTask> terminate() {
        List<PoolTask> neverStarted = new ArrayList<>();
        lock.lock();
        try {
            if (state == State.TERMINATED || state == State.TERMINATING) {
                return neverStarted;
            }
            state = State.TERMINATING;
            CancellationException cancelled = new CancellationException(settings.name()
                    + " was terminated before the task finished");
            for (PoolTask task : queue) {
                if (fail(task, cancelled)) {
                    neverStarted.add(task);
                }
            }
            queue.clear();
            for (Worker w : List.copyOf(live)) {
                boolean running = true;
                for (PoolTask task : w.inFlight) {
                    if (fail(task, cancelled) && !running) {
                        neverStarted.add(task);
                    }
                    running = false;
                }
                stop(w, "because the pool was terminated");
            }
            List.copyOf(onTerminate).forEach(Runnable::run);
            maybeTerminated();
        } finally {
            lock.unlock();
        }
        return neverStarted;
    }

    /** Runs {@code action} when the pool terminates (at once if it has). */
    void onTerminate(Runnable action) {
        lock.lock();
        try {
            if (state == State.TERMINATING || state == State.TERMINATED) {
                action.run();
            } else {
                onTerminate.add(action);
            }
        } finally {
            lock.unlock();
        }
    }

    void removeOnTerminate(Runnable action) {
        lock.lock();
        try {
            onTerminate.remove(action);
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every worker has exited after {@link #shutdown} or {@link #terminate}; false if the deadline came first. */
    boolean awaitTermination(Deadline deadline) throws InterruptedException {
        lock.lock();
        try {
            while (state != State.TERMINATED) {
                if (!deadline.await(terminated)) {
                    return state == State.TERMINATED;
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    State state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    /** The pids of the workers that are ready now, in slot order. */
    List<Long> workerPids() {
        lock.lock();
        try {
            List<Long> pids = new ArrayList<>();
            for (Worker w : live) {
                if (w.state == Worker.State.READY) {
                    pids.add(w.pid());
                }
            }
            return pids;
        } finally {
            lock.unlock();
        }
    }

    // ---- what workers say -------------------------------------------------------------------

    @Override
    public byte[] call(Caller caller, byte op, ByteBuffer payload, Deadline deadline) {
        throw new UnsupportedOperationException("a pool takes no call " + op + "; its workers send one-way messages");
    }

    @Override
    public void oneWay(Caller caller, byte op, ByteBuffer payload) throws IOException {
        switch (op) {
            case Frames.READY -> ready(caller.peer(), payload.getLong(), payload.getLong());
            case Frames.DONE -> done(caller.peer(), payload.getLong(), payload.get(), payload.slice());
            case Frames.RECALLED -> recalled(caller.peer(), payload.getLong(), payload.getLong());
            default -> throw new UnsupportedOperationException("a pool takes no message " + op);
        }
    }

    private void ready(Peer peer, long serial, long inbox) {
        List<Worker> touched;
        lock.lock();
        try {
            Worker w = bySerial.get(serial);
            if (w == null || peer == null || w.state != Worker.State.STARTING) {
                return;
            }
            // This reader hands results to waiting threads and the worker's JVM needs its cores: no polling.
            peer.stopPolling();
            w.peer = peer;
            w.inbox = inbox;
            w.everReady = true;
            w.state = Worker.State.READY;
            byPeer.put(peer, w);
            startFailures = 0;
            touched = assign();
            touched.addAll(retireIdle());
        } finally {
            lock.unlock();
        }
        flush(touched);
    }

    private void done(Peer peer, long taskId, byte status, ByteBuffer body) {
        PoolTask task;
        List<Worker> touched;
        lock.lock();
        try {
            Worker w = byPeer.get(peer);
            if (w == null) {
                return;
            }
            task = w.inFlight.peekFirst();
            if (task == null || task.id != taskId) {
                LOG.log(System.Logger.Level.ERROR, w + " answered task " + taskId + " out of turn; ignored");
                return;
            }
            w.inFlight.pollFirst();
            w.stalled = false;
            if (task.timer != null) {
                task.timer.cancel(false);
            }
            long now = System.nanoTime();
            w.answered(task, now);
            PoolTask next = w.inFlight.peekFirst();
            if (next != null) {
                started(w, next, now);
            }
            if (status == Frames.FATAL) {
                // The worker exits after this answer and runs nothing more: what it holds goes back.
                requeue(w);
                stop(w, "after a fatal error in an earlier task");
            }
            touched = assign();
            touched.addAll(retireIdle());
        } finally {
            lock.unlock();
        }
        flush(touched);
        if (!task.settle()) {
            return;
        }
        // Decoded and handed over here, on the worker's link: a waiting caller wakes without another thread hop.
        try {
            if (status == Frames.OK) {
                settle(task, ValueCodec.readAll(body, task.job.serializer), null);
            } else {
                byte[] bytes = new byte[body.remaining()];
                body.get(bytes);
                settle(task, null, ChildException.read(new DataInputStream(new ByteArrayInputStream(bytes))));
            }
        } catch (IOException | RuntimeException e) {
            settle(task, null, e);
        }
    }

    /** Hands a settled task's outcome to its sink, on this thread: never under the lock. */
    private static void settle(PoolTask task, List<Object> values, Throwable cause) {
        if (cause == null) {
            task.sink.succeeded(task, values);
        } else {
            task.sink.failed(task, cause);
        }
    }

    // ---- scheduling, under the lock ----------------------------------------------------------

    /**
     * Sends ready workers the queued tasks they have room for, each task to the least loaded of them
     * (so two tasks on two idle workers run at once); returns the workers with frames to send.
     */
    private List<Worker> assign() {
        List<Worker> touched = new ArrayList<>();
        if (state != State.RUNNING && state != State.SHUTDOWN) {
            return touched;
        }
        List<Worker> open = new ArrayList<>();
        for (Worker w : slots) {
            if (w != null && w.state == Worker.State.READY && roomOf(w) > 0) {
                open.add(w);
            }
        }
        int[] room = new int[open.size()];
        for (int i = 0; i < room.length; i++) {
            room[i] = roomOf(open.get(i));
        }
        long now = System.nanoTime();
        while (!queue.isEmpty()) {
            int pick = -1;
            for (int i = 0; i < room.length; i++) {
                if (room[i] > 0 && (pick < 0 || open.get(i).inFlight.size() < open.get(pick).inFlight.size())) {
                    pick = i;
                }
            }
            if (pick < 0) {
                break;
            }
            PoolTask task = queue.pollFirst();
            if (task.isSettled()) {
                continue;
            }
            Worker w = open.get(pick);
            send(w, task, now);
            room[pick]--;
            if (!touched.contains(w)) {
                touched.add(w);
            }
        }
        for (Worker w : open) {
            if (settings.maxTasksPerChild() > 0 && w.assigned >= settings.maxTasksPerChild()) {
                retire(w);
            }
        }
        if (queue.isEmpty()) {
            recallStuck(touched, now);
        }
        return touched;
    }

    /**
     * When a worker is idle and the queue empty: recalls the tasks queued behind any task that has
     * run {@link #RECALL_AFTER_NANOS} or longer, and looks again when the youngest such task is old
     * enough.
     */
    private void recallStuck(List<Worker> touched, long now) {
        boolean someoneIdle = false;
        for (Worker w : slots) {
            someoneIdle |= w != null && w.state == Worker.State.READY && w.inFlight.isEmpty();
        }
        if (!someoneIdle) {
            return;
        }
        long soonest = Long.MAX_VALUE;
        for (Worker w : List.copyOf(live)) {
            if ((w.state != Worker.State.READY && w.state != Worker.State.RETIRING) || w.inFlight.size() < 2) {
                continue;
            }
            long age = now - w.inFlight.peekFirst().startedNanos;
            if (age < RECALL_AFTER_NANOS) {
                soonest = Math.min(soonest, RECALL_AFTER_NANOS - age);
                continue;
            }
            if (w.inFlight.stream().anyMatch(t -> t.recalling)) {
                continue; // a recall is on its way: wait for its answer
            }
            PoolTask first = null;
            PoolTask last = null;
            boolean head = true;
            for (PoolTask task : w.inFlight) {
                if (!head) {
                    task.recalling = true;
                    first = first == null ? task : first;
                    last = task;
                }
                head = false;
            }
            w.enqueue(Frames.recall(first.seq, last.seq));
            w.stalled = true;
            if (!touched.contains(w)) {
                touched.add(w);
            }
        }
        if (soonest != Long.MAX_VALUE && !recallCheckScheduled && !timer.isShutdown()) {
            recallCheckScheduled = true;
            timer.schedule(this::recallCheck, soonest, TimeUnit.NANOSECONDS);
        }
    }

    private void recallCheck() {
        List<Worker> touched = new ArrayList<>();
        lock.lock();
        try {
            recallCheckScheduled = false;
            if (queue.isEmpty() && (state == State.RUNNING || state == State.SHUTDOWN)) {
                recallStuck(touched, System.nanoTime());
            }
        } finally {
            lock.unlock();
        }
        flush(touched);
    }

    /** A worker gave back the tasks of seq {@code from..to}: they go to the head of the queue, in order. */
    private void recalled(Peer peer, long from, long to) {
        List<Worker> touched;
        lock.lock();
        try {
            Worker w = byPeer.get(peer);
            if (w == null) {
                return;
            }
            PoolTask head = w.inFlight.peekFirst();
            List<PoolTask> back = new ArrayList<>();
            for (java.util.Iterator<PoolTask> it = w.inFlight.iterator(); it.hasNext(); ) {
                PoolTask task = it.next();
                if (task.seq >= from && task.seq <= to) {
                    it.remove();
                    back.add(task);
                }
            }
            for (PoolTask task : w.inFlight) {
                task.recalling = false; // those it had started: they are answered as usual
            }
            w.assigned -= back.size();
            for (int i = back.size() - 1; i >= 0; i--) {
                PoolTask task = back.get(i);
                task.recalling = false;
                if (task.timer != null) {
                    task.timer.cancel(false);
                    task.timer = null;
                }
                if (!task.isSettled()) {
                    queue.addFirst(task);
                }
            }
            PoolTask now = w.inFlight.peekFirst();
            if (now != null && now != head) {
                started(w, now, System.nanoTime());
            }
            touched = assign();
            touched.addAll(retireIdle());
        } finally {
            lock.unlock();
        }
        flush(touched);
    }

    /** How many more tasks {@code w} takes now: its window's room, within its {@code maxTasksPerChild}. */
    private int roomOf(Worker w) {
        int room = w.room();
        return settings.maxTasksPerChild() > 0 ? Math.min(room, settings.maxTasksPerChild() - w.assigned) : room;
    }

    private void send(Worker w, PoolTask task, long now) {
        if (!w.knownJobs.containsKey(task.job.id)) {
            w.enqueue(Frames.define(task.job));
        }
        long forgotten = w.knowJob(task.job.id);
        if (forgotten >= 0) {
            w.enqueue(Frames.forget(forgotten));
        }
        task.seq = ++w.sentSeq;
        w.enqueue(Frames.task(task, task.seq));
        task.sentNanos = now;
        w.inFlight.addLast(task);
        if (w.inFlight.size() == 1) {
            started(w, task, now);
        }
        w.assigned++;
    }

    /** {@code task} is now the one {@code w} runs: its timeout starts. */
    private void started(Worker w, PoolTask task, long now) {
        task.startedNanos = now;
        if (task.timeoutNanos > 0 && !task.isSettled()) {
            task.timer = timer.schedule(() -> timedOut(w, task), task.timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void timedOut(Worker w, PoolTask task) {
        lock.lock();
        try {
            if (w.inFlight.peekFirst() != task || w.state == Worker.State.ENDED) {
                return;
            }
            fail(task, new TaskTimeoutException(w.pid(), Duration.ofNanos(task.timeoutNanos)));
            stop(w, "because the task it was running timed out");
        } finally {
            lock.unlock();
        }
    }

    /** No more tasks for {@code w}; it exits once its own are done, and a new worker takes its slot. */
    private void retire(Worker w) {
        if (w.state != Worker.State.READY) {
            return;
        }
        w.state = Worker.State.RETIRING;
        replace(w);
    }

    /** Retiring workers that have finished, and every idle worker of a pool that is shutting down, are told to exit. */
    private List<Worker> retireIdle() {
        List<Worker> touched = new ArrayList<>();
        for (Worker w : live) {
            if (w.stopSent || !w.inFlight.isEmpty()) {
                continue;
            }
            if (w.state == Worker.State.READY && state == State.SHUTDOWN && queue.isEmpty()) {
                w.state = Worker.State.RETIRING;
            }
            if (w.state == Worker.State.RETIRING) {
                w.enqueue(Frames.stop());
                w.stopSent = true;
                touched.add(w);
            }
        }
        return touched;
    }

    /** Stops {@code w} now (SIGTERM, then SIGKILL after the grace) and starts a worker in its place. */
    private void stop(Worker w, String reason) {
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

    private void kill(Process<Void> p) {
        try {
            p.terminate();
        } catch (IllegalStateException e) {
            return;
        }
        long grace = settings.stopGrace().toNanos();
        if (!timer.isShutdown()) {
            timer.schedule(() -> {
                if (p.isAlive()) {
                    p.kill();
                }
            }, grace, TimeUnit.NANOSECONDS);
        }
    }

    /** Starts a worker in {@code w}'s slot, unless the pool no longer needs one. */
    private void replace(Worker w) {
        if (slots[w.slot] == w && needsWorkers()) {
            startWorker(w.slot);
        }
    }

    private boolean needsWorkers() {
        return broken == null && (state == State.RUNNING || (state == State.SHUTDOWN && !queue.isEmpty()));
    }

    /** Puts the tasks {@code w} holds back at the head of the queue, in order. */
    private void requeue(Worker w) {
        List<PoolTask> back = new ArrayList<>(w.inFlight);
        w.inFlight.clear();
        for (int i = back.size() - 1; i >= 0; i--) {
            PoolTask task = back.get(i);
            task.recalling = false;
            if (task.timer != null) {
                task.timer.cancel(false);
                task.timer = null;
            }
            if (!task.isSettled()) {
                queue.addFirst(task);
            }
        }
    }

    private void startWorker(int slot) {
        Worker w = new Worker(++serials, slot);
        slots[slot] = w;
        live.add(w);
        bySerial.put(w.serial, w);
        WorkerLoop loop = new WorkerLoop(handle, w.serial, settings.initializer());
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
                startFailed("a worker JVM could not be started: " + e.getMessage(), e);
                if (slots[w.slot] == w && needsWorkers()) {
                    long backoff = 100L << Math.min(startFailures, 5);
                    timer.schedule(() -> restart(w), backoff, TimeUnit.MILLISECONDS);
                }
                maybeTerminated();
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
        p.onExit().whenComplete((x, error) -> ended(w));
    }

    private void restart(Worker w) {
        lock.lock();
        try {
            if (slots[w.slot] == w && needsWorkers()) {
                startWorker(w.slot);
            }
        } finally {
            lock.unlock();
        }
    }

    /** After a worker's process has ended and everything it sent has been read. */
    private void ended(Worker w) {
        List<Worker> touched;
        lock.lock();
        try {
            int code = w.process.exitCode().orElse(-1);
            Worker.State was = w.state;
            forget(w);
            if (!w.everReady && was != Worker.State.STOPPING) {
                Optional<ChildException> thrown = w.process.exception();
                if (thrown.isPresent()) {
                    breakPool("the pool's initializer threw in worker pid " + w.pid() + ": "
                            + thrown.get().getMessage() + "; no task can run until it is fixed", thrown.get());
                } else {
                    startFailed("worker pid " + w.pid() + " " + WorkerDiedException.howItEnded(code)
                            + " before it was ready", null);
                }
            }
            PoolTask running = w.inFlight.pollFirst();
            if (running != null) {
                if (running.timer != null) {
                    running.timer.cancel(false);
                }
                fail(running, new WorkerDiedException(w.pid(), code, w.stopReason));
            }
            requeue(w);
            if (slots[w.slot] == w && needsWorkers()) {
                startWorker(w.slot);
            }
            touched = assign();
            touched.addAll(retireIdle());
            maybeTerminated();
        } finally {
            lock.unlock();
        }
        flush(touched);
    }

    private void forget(Worker w) {
        w.state = Worker.State.ENDED;
        live.remove(w);
        bySerial.remove(w.serial);
        if (w.peer != null) {
            byPeer.remove(w.peer);
        }
    }

    private void startFailed(String why, Throwable cause) {
        if (++startFailures >= START_FAILURES_TO_BREAK && broken == null) {
            breakPool(START_FAILURES_TO_BREAK + " workers in a row failed before they were ready; the last: " + why,
                    cause);
        }
    }

    private void breakPool(String why, Throwable cause) {
        if (broken != null) {
            return;
        }
        broken = new BrokenPoolException(settings.name() + " is broken: " + why, cause);
        LOG.log(System.Logger.Level.ERROR, broken.getMessage(), cause);
        for (PoolTask task : queue) {
            fail(task, broken);
        }
        queue.clear();
        if (state == State.RUNNING || state == State.SHUTDOWN) {
            state = State.TERMINATING;
            for (Worker w : List.copyOf(live)) {
                for (PoolTask task : w.inFlight) {
                    fail(task, broken);
                }
                stop(w, "because the pool broke");
            }
            List.copyOf(onTerminate).forEach(Runnable::run);
        }
    }

    private void maybeTerminated() {
        if (state == State.RUNNING || state == State.TERMINATED || !live.isEmpty()) {
            return;
        }
        if (state == State.SHUTDOWN && !queue.isEmpty()) {
            return;
        }
        state = State.TERMINATED;
        ServedObjects.remove(handle.id());
        results.shutdown();
        timer.shutdown();
        terminated.signalAll();
    }

    /**
     * Settles {@code task} with {@code cause} on the result thread (the lock may be held here, and a
     * sink runs the user's dependent actions); false if it was settled already.
     */
    private boolean fail(PoolTask task, Throwable cause) {
        if (!task.settle()) {
            return false;
        }
        deliver(() -> settle(task, null, cause));
        return true;
    }

    /** Where callbacks run: the pool's result thread, one at a time, as Python's result handler. */
    java.util.concurrent.Executor callbacks() {
        return this::deliver;
    }

    private void deliver(Runnable action) {
        try {
            results.execute(action);
        } catch (RejectedExecutionException e) {
            action.run(); // the pool has terminated: nothing else runs on the result thread any more
        }
    }

    private static void flush(List<Worker> touched) {
        for (Worker w : touched) {
            w.flush();
        }
    }
}
