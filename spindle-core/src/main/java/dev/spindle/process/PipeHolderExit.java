package dev.spindle.process;

import dev.spindle.process.wire.ExitSequence;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The exit of a process that holds pipes: it stays while another process may still send or
 * receive through one of them, since the pipe lives here (see {@link PipeRelay#keepsHolder}), as
 * Python's parent joins its non-daemon children at exit. It does not wait for daemon children,
 * which die with it, nor when a signal ended it ({@link ExitSequence#onSignal()}).
 */
final class PipeHolderExit {

    private static final System.Logger LOG = System.getLogger(PipeHolderExit.class.getName());
    private static final long NOTICE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final AtomicBoolean HOOKED = new AtomicBoolean();
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Condition CHANGED = LOCK.newCondition();

    private PipeHolderExit() {
    }

    /** Arranges the wait at exit, once; called when this process first holds a pipe. */
    static void hook() {
        if (HOOKED.compareAndSet(false, true)) {
            ExitSequence.at(ExitSequence.Step.DELIVER_PIPE_MESSAGES, PipeHolderExit::awaitOtherUsers);
        }
    }

    /** Something a waiting exit looks at changed. Never blocks: callers may hold a pipe's lock. */
    static void mayProceed() {
        if (LOCK.tryLock()) {
            try {
                CHANGED.signalAll();
            } finally {
                LOCK.unlock();
            }
        }
    }

    private static void awaitOtherUsers() {
        if (ExitSequence.onSignal()) {
            return;
        }
        long noticeAt = System.nanoTime() + NOTICE_AFTER_NANOS;
        boolean noticed = false;
        LOCK.lock();
        try {
            while (true) {
                boolean children = Children.anyOutlivingRunning();
                boolean stay = false;
                for (PipeRelay relay : PipeRelay.held()) {
                    stay |= relay.keepsHolder(children);
                }
                if (!stay) {
                    return;
                }
                if (!noticed && System.nanoTime() - noticeAt >= 0) {
                    noticed = true;
                    LOG.log(System.Logger.Level.INFO, "process " + PipeRelay.SELF + " waits to exit while other "
                            + "processes use the pipes it opened, since the pipes live here; they end when those "
                            + "processes close their ends or exit (SIGKILL ends this one at once)");
                }
                // Processes end without signalling this lock, so look again now and then.
                CHANGED.await(100, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            LOCK.unlock();
        }
    }
}
