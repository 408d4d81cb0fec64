package dev.spindle.net;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.Channel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * A server's connections: admission (the verify hook, a permit per connection, the
 * {@link WhenFull} policy), the live set, the counters, and the drain at shutdown. Every acceptor
 * admits through it and every connection, whatever its model, leaves through {@link #forget}.
 *
 * <p>Thread-safe. One acceptor at a time calls {@link #readyToAccept} and {@link #admit}.
 */
final class ConnectionRegistry implements TransportOwner {

    /** Opens and starts one admitted connection; the registry holds it before it starts. */
    interface Starter<C extends Channel, L extends LiveConnection> {
        /** Makes the connection over {@code channel}; nothing runs yet. */
        L open(C channel, long id) throws IOException;

        /**
         * Runs it under the model.
         *
         * @throws RejectedExecutionException when the model has no room after all; the connection is refused
         */
        void launch(L connection);
    }

    /** A socket operation that may fail: a channel's {@code shutdownOutput}, whatever its kind. */
    interface SocketAction {
        void run() throws IOException;
    }

    private final String name;
    private final Model model;
    private final ServerCounters counters = new ServerCounters();
    private final ServerLog log;
    private final ServerErrors errors;
    private final ConcurrentHashMap<Long, LiveConnection> live = new ConcurrentHashMap<>();
    private final AtomicLong numbers = new AtomicLong();
    private final Predicate<? super SocketAddress> verify;
    private final WhenFull whenFull;
    /** The lesser of the builder's maximum and what the model holds. */
    private final int maxConnections;
    /** A permit per open connection; null when unlimited. */
    private final Semaphore permits;
    /** Whether the acceptor holds a permit taken before accepting (the WAIT policy). */
    private final AtomicBoolean reserved = new AtomicBoolean();
    /** Runs once when a permit frees while the acceptor waits for one. */
    private final AtomicReference<Runnable> roomWaiter = new AtomicReference<>();
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a connection ends while someone drains. */
    private final Condition ended = lock.newCondition();
    private volatile boolean draining;

    ConnectionRegistry(String name, Model model, int maxConnections, WhenFull whenFull,
                       Predicate<? super SocketAddress> verify, ServerLog log,
                       BiConsumer<? super SocketAddress, ? super Throwable> onError) {
        this.name = name;
        this.model = model;
        this.log = log;
        this.errors = new ServerErrors(name, counters, log, onError);
        this.verify = verify;
        this.whenFull = whenFull;
        this.maxConnections = Math.min(maxConnections, model.capacity());
        this.permits = this.maxConnections == Integer.MAX_VALUE ? null : new Semaphore(this.maxConnections);
    }

    ServerCounters counters() {
        return counters;
    }

    ServerErrors errors() {
        return errors;
    }

    // ---- admission ----

    /**
     * Whether the acceptor may accept now. Under {@link WhenFull#WAIT} with every permit taken it
     * may not: {@code onRoom} then runs once, on the thread that frees a permit, and the acceptor
     * asks again. It may run spuriously; it must be cheap and not block.
     */
    boolean readyToAccept(Runnable onRoom) {
        if (permits == null || whenFull != WhenFull.WAIT || reserved.get()) {
            return true;
        }
        if (permits.tryAcquire()) {
            reserved.set(true);
            return true;
        }
        roomWaiter.set(onRoom);
        if (permits.tryAcquire()) { // a permit freed before the waiter was set would not run it
            roomWaiter.set(null);
            reserved.set(true);
            return true;
        }
        return false;
    }

    /**
     * Admits or refuses one accepted channel: the verify hook, then a permit (the one reserved
     * before accepting, or one taken now), then {@code starter}. Whatever fails, the acceptor goes
     * on: the channel is closed, its permit returned, the failure counted and reported.
     */
    <C extends Channel, L extends LiveConnection> void admit(C channel, SocketAddress peer, SocketAction shutdownOutput,
                                                             Starter<C, L> starter) {
        counters.accepted.increment();
        boolean permitted = reserved.getAndSet(false);
        L connection = null;
        try {
            if (verify != null && !verify.test(peer)) {
                refuse(channel, shutdownOutput, peer, "rejected by the verify hook");
                return;
            }
            if (!permitted && permits != null && !permits.tryAcquire()) {
                refuse(channel, shutdownOutput, peer,
                        "the server holds its maximum of " + maxConnections + " connections (" + model + ")");
                return;
            }
            permitted = true;
            connection = starter.open(channel, numbers.incrementAndGet());
            live.put(connection.id(), connection);
            counters.active.increment();
            permitted = false; // forget() returns it now
            starter.launch(connection);
        } catch (RejectedExecutionException | OutOfMemoryError e) {
            release(connection, permitted);
            refuse(channel, shutdownOutput, peer, "the " + model + " model has no room (" + e.getMessage() + ")");
        } catch (Throwable e) {
            // Whatever one connection hits (even a LinkageError), the acceptor goes on.
            release(connection, permitted);
            closeQuietly(channel);
            errors.failed(peer, e);
            ServerErrors.rethrowIfFatal(e);
        }
    }

    private void release(LiveConnection connection, boolean permitted) {
        if (connection != null) {
            forget(connection);
        } else if (permitted) {
            releasePermit();
        }
    }

    /** Counts and closes a refused connection: end-of-stream first, so that the client reads EOF rather than a reset. */
    private void refuse(Channel channel, SocketAction shutdownOutput, SocketAddress peer, String why) {
        counters.refused.increment();
        log.debug(() -> name + ": refused " + peer + ": " + why);
        try {
            shutdownOutput.run();
        } catch (IOException ignored) {
            // the peer is already gone
        }
        closeQuietly(channel);
    }

    private void releasePermit() {
        if (permits == null) {
            return;
        }
        permits.release();
        Runnable waiter = roomWaiter.getAndSet(null);
        if (waiter != null) {
            waiter.run();
        }
    }

    /** Returns a permit reserved for a connection that will not come: the listener has closed. */
    void stopAccepting() {
        if (reserved.getAndSet(false)) {
            releasePermit();
        }
        roomWaiter.set(null);
    }

    // ---- ends ----

    /** A non-blocking connection has closed, with what ended it, if anything. */
    @Override
    public void ended(LiveConnection transport, SocketAddress peer, CloseReason reason, Throwable cause) {
        try {
            if (cause != null || reason == CloseReason.TIMEOUT) {
                errors.count(transport, reason, peer, cause);
            }
        } finally {
            forget(transport);
        }
    }

    /** Removes a connection that has ended and returns its permit; idempotent. */
    void forget(LiveConnection connection) {
        if (live.remove(connection.id()) == null) {
            return;
        }
        counters.active.decrement();
        releasePermit();
        if (draining) {
            lock.lock();
            try {
                ended.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    // ---- draining ----

    /** Whether {@code connection} is one of this server's, open. */
    boolean holds(LiveConnection connection) {
        return live.get(connection.id()) == connection;
    }

    /**
     * Waits until no connection is open but {@code own} (the caller's, or {@code null}).
     *
     * @return whether they all ended before the deadline
     */
    boolean awaitEnded(LiveConnection own, Deadline deadline) {
        draining = true;
        lock.lock();
        try {
            while (!(live.isEmpty() || (live.size() == 1 && own != null && live.containsKey(own.id())))) {
                if (!deadline.await(ended)) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Closes every open connection but {@code own} for {@code reason}. */
    void closeAll(LiveConnection own, CloseReason reason) {
        for (LiveConnection connection : live.values()) {
            if (connection != own) {
                connection.closeFor(reason);
            }
        }
    }

    static void closeQuietly(Channel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing an accepted or listening socket fails only when it is already gone
        }
    }
}
