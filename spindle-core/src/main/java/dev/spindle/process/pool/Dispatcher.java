package dev.spindle.process.pool;

import dev.spindle.internal.Deadline;
import dev.spindle.process.ChildException;
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
import java.util.List;
import java.util.Optional;
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
 * {@link Recall#AFTER_NANOS} while another worker has nothing to do and the queue is empty, those
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
    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());

    private final PoolSettings settings;
    private final ObjectHandle handle;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition terminated = lock.newCondition();
    private final ArrayDeque<PoolTask> queue = new ArrayDeque<>();
    private final WorkerJvms workers;
    private final JobCache jobs;
    private final AtomicLong taskIds = new AtomicLong();
    private final ExecutorService results;
    private final ScheduledThreadPoolExecutor timer;
    private final List<Runnable> onTerminate = new ArrayList<>();
    private State state = State.RUNNING;
    private BrokenPoolException broken;
    private boolean recallCheckScheduled;

    Dispatcher(PoolSettings settings) throws IOException {
        this.settings = settings;
        this.jobs = new JobCache(settings.serializer());
        this.handle = ObjectHandle.serve(this);
        this.results = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name(settings.name() + "-results").factory());
        this.timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name(settings.name() + "-timer").factory());
        timer.setRemoveOnCancelPolicy(true);
        // Once every worker has exited, nothing the timer holds matters (a SIGKILL after the grace, a recall check).
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.workers = new WorkerJvms(this, settings, handle, lock, timer);
        lock.lock();
        try {
            workers.startAll();
        } finally {
            lock.unlock();
        }
    }

    PoolSettings settings() {
        return settings;
    }

    /** The job for {@code function} ({@link JobCache}). */
    Job job(Object function) throws IOException {
        return jobs.job(function);
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
     * Cancels tasks: a queued one never runs; one sent to a worker and not started there is
     * recalled, so it never runs either; a running one, when {@code interrupt}, has its worker
     * stopped and replaced (the tasks queued behind it run elsewhere); otherwise it runs on and its
     * result is dropped.
     */
    void cancel(List<PoolTask> tasks, boolean interrupt) {
        List<Worker> touched = new ArrayList<>();
        lock.lock();
        try {
            java.util.Set<PoolTask> cancelling = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (PoolTask task : tasks) {
                if (task.settle()) {
                    cancelling.add(task); // a queued one is skipped when its turn comes
                }
            }
            if (cancelling.isEmpty()) {
                return;
            }
            for (Worker w : workers.live()) {
                PoolTask running = w.running();
                for (PoolTask task : w.inFlight) {
                    if (cancelling.contains(task)) {
                        if (task == running && interrupt) {
                            workers.stop(w, "because its task was cancelled");
                        } else if (task != running && !task.recalling && w.peer != null) {
                            // Sent but not started, most likely: asked back, so that it never runs.
                            task.recalling = true;
                            w.enqueue(Frames.recall(task.seq, task.seq));
                            if (!touched.contains(w)) {
                                touched.add(w);
                            }
                        }
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        flush(touched);
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
            for (Worker w : workers.live()) {
                // Sent to a worker, a task may have started there: none of them is handed back as never started.
                for (PoolTask task : w.inFlight) {
                    fail(task, cancelled);
                }
                workers.stop(w, "because the pool was terminated");
            }
            runOnTerminate();
            maybeTerminated();
        } finally {
            lock.unlock();
        }
        return neverStarted;
    }

    private void runOnTerminate() {
        List<Runnable> actions = List.copyOf(onTerminate);
        onTerminate.clear();
        actions.forEach(Runnable::run);
    }

    /** Runs {@code action} when the pool stops taking tasks for good: terminated, broken, or shut down and done (at once if it has). */
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
            return workers.readyPids();
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
            case Frames.RECALLED -> recalled(caller.peer(), payload.getLong(), payload.getLong(), payload.getLong());
            default -> throw new UnsupportedOperationException("a pool takes no message " + op);
        }
    }

    private void ready(Peer peer, long serial, long inbox) {
        List<Worker> touched;
        lock.lock();
        try {
            Worker w = workers.bySerial(serial);
            if (w == null || peer == null || w.state != Worker.State.STARTING) {
                return;
            }
            // This reader hands results to waiting threads and the worker's JVM needs its cores: no polling.
            peer.stopPolling();
            workers.ready(w, peer);
            w.inbox = inbox;
            w.everReady = true;
            w.state = Worker.State.READY;
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
            Worker w = workers.byPeer(peer);
            if (w == null) {
                return;
            }
            task = w.answerable(taskId);
            if (task == null) {
                LOG.log(System.Logger.Level.ERROR, w + " answered task " + taskId + " out of turn; ignored");
                return;
            }
            PoolTask wasRunning = w.running();
            w.inFlight.remove(task);
            w.stalled = false;
            if (task.timer != null) {
                task.timer.cancel(false);
            }
            long now = System.nanoTime();
            w.answered(task, now);
            PoolTask next = w.running();
            if (next != null && next != wasRunning) {
                started(w, next, now);
            }
            if (status == Frames.FATAL) {
                // The worker exits after this answer and runs nothing more: what it holds goes back.
                requeue(w);
                workers.stop(w, "after a fatal error in an earlier task");
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
        for (Worker w : workers.slots()) {
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

    /** When a worker is idle and the queue empty: {@link Recall#stuck}, and a look again when one may be stuck. */
    private void recallStuck(List<Worker> touched, long now) {
        long next = Recall.stuck(workers, touched, now);
        if (next >= 0 && !recallCheckScheduled && !timer.isShutdown()) {
            recallCheckScheduled = true;
            timer.schedule(this::recallCheck, next, TimeUnit.NANOSECONDS);
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

    /**
     * A worker answered the recall of seq {@code asked..to}: it gave back those of {@code from..to},
     * which go to the head of the queue, in order.
     */
    private void recalled(Peer peer, long asked, long from, long to) {
        List<Worker> touched;
        lock.lock();
        try {
            Worker w = workers.byPeer(peer);
            if (w == null) {
                return;
            }
            PoolTask head = w.running();
            putBack(Recall.givenBack(w, asked, from, to));
            PoolTask now = w.running();
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
            if (w.running() != task || w.state == Worker.State.ENDED) {
                return;
            }
            fail(task, new TaskTimeoutException(w.pid(), Duration.ofNanos(task.timeoutNanos)));
            workers.stop(w, "because the task it was running timed out");
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
        workers.replace(w);
    }

    /** Retiring workers that have finished, and every idle worker of a pool that is shutting down, are told to exit. */
    private List<Worker> retireIdle() {
        List<Worker> touched = new ArrayList<>();
        for (Worker w : workers.live()) {
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

    /** Whether a slot whose worker ended or was replaced gets a new one. */
    boolean needsWorkers() {
        return broken == null && (state == State.RUNNING || (state == State.SHUTDOWN && !queue.isEmpty()));
    }

    /** Puts the tasks {@code w} holds back at the head of the queue, in order. */
    private void requeue(Worker w) {
        List<PoolTask> back = new ArrayList<>(w.inFlight);
        w.inFlight.clear();
        putBack(back);
    }

    /** Puts {@code tasks} (not yet settled) at the head of the queue, in their order, their timeouts off. */
    private void putBack(List<PoolTask> tasks) {
        for (int i = tasks.size() - 1; i >= 0; i--) {
            PoolTask task = tasks.get(i);
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

    /** After a worker's process has ended and everything it sent has been read. */
    void ended(Worker w) {
        List<Worker> touched;
        lock.lock();
        try {
            int code = w.process.exitCode().orElse(-1);
            Worker.State was = w.state;
            workers.forget(w);
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
            PoolTask running = w.running();
            if (running != null) {
                w.inFlight.remove(running);
                if (running.timer != null) {
                    running.timer.cancel(false);
                }
                fail(running, new WorkerDiedException(w.pid(), code, w.stopReason));
            }
            requeue(w);
            workers.replace(w);
            touched = assign();
            touched.addAll(retireIdle());
            maybeTerminated();
        } finally {
            lock.unlock();
        }
        flush(touched);
    }

    /** A worker failed before it was ready: enough in a row break the pool. */
    void startFailed(String why, Throwable cause) {
        if (workers.startFailed() >= START_FAILURES_TO_BREAK && broken == null) {
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
            for (Worker w : workers.live()) {
                for (PoolTask task : w.inFlight) {
                    fail(task, broken);
                }
                workers.stop(w, "because the pool broke");
            }
            runOnTerminate();
        }
    }

    void maybeTerminated() {
        if (state == State.RUNNING || state == State.TERMINATED || !workers.noneLive()) {
            return;
        }
        if (state == State.SHUTDOWN && !queue.isEmpty()) {
            return;
        }
        state = State.TERMINATED;
        runOnTerminate();
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
