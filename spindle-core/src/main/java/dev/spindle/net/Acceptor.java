package dev.spindle.net;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A server's listener of one channel kind, with what runs what it accepts: a {@link Model} makes
 * one per server. Connections go through the server's {@link ConnectionRegistry}; everything else
 * about the server (its states, its shutdown) is {@link StreamServer}'s.
 *
 * <h2>Lifecycle</h2>
 * Bound when made; accepting whenever a thread is in {@link #serveUntil} or {@link #acceptOne};
 * {@link #closeListener()} (from any thread) ends accepting and frees the address;
 * {@link #stopIntake()} and then, once the connections have ended, {@link #stop(Deadline)} release
 * the model's threads.
 */
abstract class Acceptor {

    final ServerContext context;
    private final AcceptFailures failures;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final java.util.concurrent.locks.ReentrantLock closeLock = new java.util.concurrent.locks.ReentrantLock();
    private final java.util.concurrent.locks.Condition closedSignal = closeLock.newCondition();

    Acceptor(ServerContext context) {
        this.context = context;
        this.failures = new AcceptFailures(context.name(), context.log(), context.counters().acceptFailures);
    }

    /** The address the listener is bound to. */
    abstract SocketAddress localAddress();

    /**
     * On the accepting thread: accepts and admits connections until {@code until} passes or the
     * listener closes.
     */
    abstract void serveUntil(Deadline until) throws IOException;

    /**
     * On the accepting thread: waits until {@code deadline} for one connection and admits it.
     *
     * @return whether a connection was accepted (served, handed over, or refused)
     * @throws UnsupportedOperationException when the channel kind cannot abandon an accept
     */
    abstract boolean acceptOne(Deadline deadline) throws IOException;

    /** Closes the channel the listener is, and wakes whoever waits on it. */
    abstract void closeChannel();

    /** Stops taking connections into the model; those taken still run. */
    abstract void stopIntake();

    /**
     * Releases the model's threads once the connections have ended.
     *
     * @return whether they all stopped before the deadline
     */
    abstract boolean stop(Deadline deadline);

    /**
     * At shutdown, after the listener closed: lets what the model runs outside this JVM (the
     * process model's workers) finish within {@code deadline}.
     *
     * @return whether it all finished in time
     */
    boolean drain(Deadline deadline) {
        return true;
    }

    /** The counters of what the model runs outside this JVM, added to the server's own. */
    ServerStats remoteStats() {
        return ServerStats.NONE;
    }

    /** The pids of the JVMs listening for the model besides this one; none but for the process model. */
    java.util.List<Long> workerPids() {
        return java.util.List.of();
    }

    /** Closes the listener from any thread, the accepting one included; idempotent. */
    final void closeListener() {
        if (closed.compareAndSet(false, true)) {
            context.registry().stopAccepting();
            closeChannel();
            closeLock.lock();
            try {
                closedSignal.signalAll();
            } finally {
                closeLock.unlock();
            }
        }
    }

    /** Waits until the listener closes or {@code until} passes: the accepting thread of a model whose accepts run elsewhere. */
    final void awaitClosed(Deadline until) {
        closeLock.lock();
        try {
            while (!isClosed()) {
                if (!until.await(closedSignal)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeLock.unlock();
        }
    }

    final boolean isClosed() {
        return closed.get();
    }

    /** An accept worked: ends a run of failures. */
    final void accepted() {
        failures.succeeded();
    }

    /**
     * Accepting failed, most often for want of file descriptors (EMFILE): counted, logged when the
     * failures start and when they end, and waited out with a back-off ({@link AcceptFailures});
     * closing the listener and unparking the thread end the wait. A hook of the user's hears of
     * each failure.
     */
    final void acceptFailed(IOException e) {
        Deadline pause = Deadline.afterNanos(failures.failed(e));
        if (context.errors().userHook()) {
            context.errors().report(null, e);
        }
        while (!isClosed() && !pause.hasExpired()) {
            LockSupport.parkNanos(this, pause.remainingNanos());
        }
    }
}
