package dev.spindle.net;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One selector thread serving many non-blocking connections: the seeds' select/epoll server.
 *
 * <p>Everything about a connection happens on its loop's thread; other threads hand work over
 * with {@link #execute(Runnable)}, which wakes the selector at most once per batch. All
 * connections of a loop share one direct read buffer, so a read allocates nothing.
 */
final class EventLoop implements Runnable {

    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());
    private static final int READ_BUFFER_SIZE = 64 * 1024;
    private static final long MIN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long MAX_TICK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
    /** Scratch for gathering writes, shared by the loop's connections rather than held by each. */
    private final ByteBuffer[] gather = new ByteBuffer[64];
    private final Set<NioTransport> transports = new HashSet<>(); // loop thread only
    /** Made once: a method reference evaluated per select would allocate per turn of the loop. */
    private final java.util.function.Consumer<SelectionKey> onReady = this::ready;
    /** How often idle connections are looked for: an eighth of the shortest idle timeout among them; 0: never. */
    private long tickNanos; // loop thread only
    private volatile boolean stopping;

    /**
     * Bytes counted on the loop's own fields and added to the owner's LongAdders once per turn:
     * two contended additions per message would cost more than the rest of an echo. The counters
     * are those of the connection counted last; a loop shared by several servers or groups flushes
     * when the owner changes.
     */
    private ServerCounters counters;
    private long bytesIn;
    private long bytesOut;
    /** The time at the start of this turn: one clock read per turn, not one per read or write. */
    private long now = System.nanoTime();

    EventLoop(String name, ServerCounters counters) throws IOException {
        this.counters = counters;
        this.selector = Selector.open();
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this);
    }

    /**
     * Opens and starts {@code count} loops named {@code <prefix>-loop-<n>}. If one cannot open its
     * selector, those already opened are closed before the exception is thrown.
     */
    static EventLoop[] startAll(String prefix, int count, ServerCounters counters) throws IOException {
        EventLoop[] loops = new EventLoop[count];
        try {
            for (int i = 0; i < count; i++) {
                loops[i] = new EventLoop(prefix + "-loop-" + (i + 1), counters);
            }
        } catch (IOException e) {
            for (EventLoop loop : loops) {
                if (loop != null) {
                    loop.selector.close(); // never started: nothing else holds it
                }
            }
            throw e;
        }
        for (EventLoop loop : loops) {
            loop.thread.start();
        }
        return loops;
    }

    /**
     * Stops every loop, then waits for them until the deadline.
     *
     * @return whether every loop stopped in time
     */
    static boolean stopAll(EventLoop[] loops, Deadline deadline) throws InterruptedException {
        for (EventLoop loop : loops) {
            loop.stop();
        }
        boolean all = true;
        for (EventLoop loop : loops) {
            all &= deadline.join(loop.thread);
        }
        return all;
    }

    Selector selector() {
        return selector;
    }

    long now() {
        return now;
    }

    void countIn(ServerCounters owner, long n) {
        if (owner != counters) {
            switchCounters(owner);
        }
        bytesIn += n;
    }

    void countOut(ServerCounters owner, long n) {
        if (owner != counters) {
            switchCounters(owner);
        }
        bytesOut += n;
    }

    private void switchCounters(ServerCounters owner) {
        flushCounts();
        counters = owner;
    }

    /** Adds the turn's byte counts to the owner's counters. */
    void flushCounts() {
        if (bytesIn != 0) {
            counters.bytesIn.add(bytesIn);
            bytesIn = 0;
        }
        if (bytesOut != 0) {
            counters.bytesOut.add(bytesOut);
            bytesOut = 0;
        }
    }

    ByteBuffer[] gatherArray() {
        return gather;
    }

    Thread thread() {
        return thread;
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on the loop: now when called on it, else at its next turn. */
    void execute(Runnable task) {
        if (inLoop()) {
            task.run();
            return;
        }
        tasks.add(task);
        if (wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /** Runs {@code task} on the loop at its next turn, after the tasks handed to it before, even when called on it. */
    void executeLater(Runnable task) {
        tasks.add(task);
        if (wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    void added(NioTransport transport) {
        transports.add(transport);
        long idle = transport.idleTimeoutNanos();
        if (idle > 0) {
            long tick = Math.max(MIN_TICK_NANOS, Math.min(MAX_TICK_NANOS, idle / 8));
            tickNanos = tickNanos == 0 ? tick : Math.min(tickNanos, tick);
        }
    }

    void removed(NioTransport transport) {
        transports.remove(transport);
    }

    /** Stops the loop once it has run the tasks already handed to it; connections left are aborted. */
    private void stop() {
        stopping = true;
        selector.wakeup();
    }

    @Override
    public void run() {
        long nextIdleCheck = System.nanoTime();
        try {
            while (!stopping) {
                if (tickNanos > 0) {
                    long wait = nextIdleCheck - System.nanoTime();
                    if (wait > 0) {
                        selector.select(onReady, Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
                    } else {
                        selector.selectNow(onReady);
                    }
                } else {
                    selector.select(onReady);
                }
                now = System.nanoTime();
                wakeupPending.set(false);
                runTasks();
                flushCounts();
                if (tickNanos > 0 && System.nanoTime() - nextIdleCheck >= 0) {
                    closeIdle(System.nanoTime());
                    nextIdleCheck = System.nanoTime() + tickNanos;
                }
            }
            runTasks();
            flushCounts();
        } catch (IOException | ClosedSelectorException e) {
            LOG.log(System.Logger.Level.ERROR, thread.getName() + " stopped: " + e, e);
        } finally {
            for (NioTransport transport : new ArrayList<>(transports)) {
                transport.closeFor(CloseReason.SHUTDOWN);
            }
            runTasks();
            try {
                selector.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }

    private void ready(SelectionKey key) {
        NioTransport transport = (NioTransport) key.attachment();
        if (key.isValid() && key.isReadable()) {
            transport.onReadable(readBuffer);
        }
        if (key.isValid() && key.isWritable()) {
            transport.onWritable();
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, thread.getName() + ": a task failed", e);
            }
        }
    }

    private void closeIdle(long now) {
        for (NioTransport transport : new ArrayList<>(transports)) {
            long idle = transport.idleTimeoutNanos();
            if (idle > 0 && now - transport.lastActivity() > idle) {
                transport.closeFor(CloseReason.TIMEOUT);
            }
        }
    }
}
