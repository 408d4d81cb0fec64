package dev.spindle.process.pool;

import dev.spindle.process.Process;
import dev.spindle.process.wire.Peer;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pool's side of one worker JVM: its process, its link once it is ready, and the tasks it has
 * been sent and not answered, in the order it runs them. Everything but the outbox is guarded by
 * the {@link Dispatcher}'s lock.
 *
 * <h2>Lifecycle</h2>
 * STARTING (its JVM starts and runs the pool's initializer) → READY (takes tasks) → RETIRING
 * (takes no more; exits once its tasks are done: {@code maxTasksPerChild}, or the pool shutting
 * down) or STOPPING (being stopped: a task timed out or was cancelled, or the pool terminated)
 * → ENDED (its process exited and everything it sent was read).
 */
final class Worker {

    enum State { STARTING, READY, RETIRING, STOPPING, ENDED }

    /** The most jobs a worker keeps; the pool tells it which to forget. */
    static final int KNOWN_JOBS = 128;
    /**
     * Tasks a worker may have sent to it at most; and its window before it has answered any: one,
     * so that a burst of long tasks is not queued behind one another on one worker while another
     * is idle (the first answer sets the pace).
     */
    static final int MAX_WINDOW = 256;
    static final int FIRST_WINDOW = 1;
    /** How much work a worker's window aims to hold: enough to hide a round trip, little enough to balance. */
    private static final long WINDOW_NANOS = 1_000_000;

    final long serial;
    final int slot;
    final ArrayDeque<PoolTask> inFlight = new ArrayDeque<>();
    /** Jobs this worker has been sent, least recently used first. */
    final LinkedHashMap<Long, Boolean> knownJobs = new LinkedHashMap<>(16, 0.75f, true);
    State state = State.STARTING;
    Process<Void> process;
    Peer peer;
    long inbox;
    boolean everReady;
    int assigned;
    String stopReason;
    boolean stopSent;
    /** Its running task has held up the tasks behind it, which were recalled: none go to it until that one ends. */
    boolean stalled;
    /** The seq of the last task sent to it. */
    long sentSeq;
    private long lastDoneNanos;
    private long nanosPerTask;
    private int window = FIRST_WINDOW;

    /** Frames waiting to be sent, in the order the dispatcher assigned them. */
    private final ConcurrentLinkedQueue<byte[]> outbox = new ConcurrentLinkedQueue<>();
    private final ReentrantLock sending = new ReentrantLock();

    Worker(long serial, int slot) {
        this.serial = serial;
        this.slot = slot;
    }

    long pid() {
        Process<Void> p = process;
        return p == null ? 0 : p.pid();
    }

    /**
     * The task of {@code id} if the worker may be answering it now: the first it holds, or one
     * behind only tasks being recalled. A recall's answer travels apart from the task thread's
     * answers, so the tasks after a given-back one may be answered before the pool hears it was
     * given back.
     */
    PoolTask answerable(long id) {
        for (PoolTask task : inFlight) {
            if (task.id == id) {
                return task;
            }
            if (!task.recalling) {
                return null;
            }
        }
        return null;
    }

    /** The first task it holds that is not being recalled: the one it runs, as far as the pool knows. */
    PoolTask running() {
        for (PoolTask task : inFlight) {
            if (!task.recalling) {
                return task;
            }
        }
        return inFlight.peekFirst();
    }

    /** How many tasks to send now: none while more than half its window is queued, then up to the window. */
    int room() {
        if (stalled) {
            return 0;
        }
        int queued = inFlight.size();
        return queued > window / 2 ? 0 : window - queued;
    }

    /** A task of this worker's was answered: its pace sets the window. */
    void answered(PoolTask task, long now) {
        long took = now - Math.max(lastDoneNanos, task.sentNanos);
        lastDoneNanos = now;
        nanosPerTask = nanosPerTask == 0 ? took : nanosPerTask - (nanosPerTask >> 3) + (took >> 3);
        long fits = WINDOW_NANOS / Math.max(1, nanosPerTask);
        // Tasks longer than the window's time go one at a time: a round trip is small beside them.
        window = (int) Math.max(1, Math.min(MAX_WINDOW, fits));
    }

    /** Queues frames for the worker, in order; {@link #flush} sends them. Called under the dispatcher's lock. */
    void enqueue(byte[] frame) {
        outbox.add(frame);
    }

    boolean hasOutbox() {
        return !outbox.isEmpty();
    }

    /**
     * Sends what is queued, as one message per turn. Whoever holds the send lock sends for everyone:
     * a thread that finds it taken leaves its frames to the holder, which looks again after letting
     * go, so no frame waits and no caller blocks behind another's send.
     */
    void flush() {
        while (!outbox.isEmpty() && sending.tryLock()) {
            try {
                byte[] frame;
                while ((frame = outbox.peek()) != null) {
                    if (frame[0] == Frames.RECALL_FRAME) {
                        outbox.poll();
                        send(Frames.RECALL, frame, 1);
                        continue;
                    }
                    int length = 0;
                    java.util.List<byte[]> parts = new java.util.ArrayList<>();
                    for (java.util.Iterator<byte[]> it = outbox.iterator(); it.hasNext() && length < 1 << 20; ) {
                        byte[] part = it.next();
                        if (part[0] == Frames.RECALL_FRAME) {
                            break;
                        }
                        parts.add(part);
                        length += part.length;
                    }
                    byte[] message = new byte[length];
                    int at = 0;
                    for (byte[] part : parts) {
                        System.arraycopy(part, 0, message, at, part.length);
                        at += part.length;
                        outbox.poll();
                    }
                    send(Frames.RUN, message, 0);
                }
            } finally {
                sending.unlock();
            }
        }
    }

    private void send(byte op, byte[] message, int offset) {
        Peer link = peer;
        try {
            link.oneWay(inbox, op, message, offset, message.length - offset);
        } catch (IOException e) {
            // The worker is gone: its end settles what it held.
        }
    }

    /** Forgets the least recently used job when the worker knows too many; returns it, or -1. */
    long knowJob(long jobId) {
        knownJobs.put(jobId, Boolean.TRUE);
        if (knownJobs.size() <= KNOWN_JOBS) {
            return -1;
        }
        Map.Entry<Long, Boolean> eldest = knownJobs.entrySet().iterator().next();
        knownJobs.remove(eldest.getKey());
        return eldest.getKey();
    }

    @Override
    public String toString() {
        return "worker " + serial + " (pid " + pid() + ", " + state + ", " + inFlight.size() + " in flight)";
    }
}
