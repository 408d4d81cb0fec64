package dev.spindle.process;

import dev.spindle.process.wire.Hello;

import dev.spindle.process.wire.Hub;

import dev.spindle.internal.Deadline;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * One pipe as the process that opened it holds it: for each end, the messages waiting to be
 * received there and who uses that end ({@link PipeSide}). This is the kernel's part in Python's
 * pipe: a message sent into a pipe lives here until some user of the other end receives it,
 * whatever its sender does next.
 *
 * <p>An end's users are: each end object, in any process, that has been used and not closed (in
 * this process directly, in others through their links, {@link PipeLink}); and each child process
 * that was started with the end captured in its task, from its start until it exits or closes its
 * copy (a <em>reservation</em>, bound to the child's pid, which this process watches). Once an end
 * is gone (see {@link PipeSide}) the other end reads end-of-file after the messages already
 * waiting, sending to it fails, and the links that send to it are closed so that their senders
 * learn it at their next send. Once it is unreachable too, what waited there is dropped; when both
 * ends are unreachable the pipe is forgotten.
 *
 * <p>Each end's queue holds at most {@link #QUEUE_LIMIT} bytes: a sender beyond it waits, as on a
 * full kernel pipe. One message larger than the limit still goes in when the queue is empty.
 *
 * <p>Thread-safe: one lock per pipe, with two conditions per end: one for receivers (a message
 * arrived, or the other end went) and one for senders (the queue fell to half its limit, or the end
 * went), so that a full pipe wakes its senders once per half-queue, not per message.
 */
final class PipeRelay {

    /** Bytes of messages that may wait at one end before senders to it wait. */
    static final long QUEUE_LIMIT = 4L * 1024 * 1024;
    static final int LEFT = 0;
    static final int RIGHT = 1;
    /** The pid under which this process's own end objects use a pipe. */
    static final long SELF = ProcessHandle.current().pid();

    private static final Map<Long, PipeRelay> OPEN = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();
    private static final AtomicLong RESERVATIONS = new AtomicLong();

    private final long id;
    private final ReentrantLock lock = new ReentrantLock();
    private final PipeSide[] sides = {
            new PipeSide(lock.newCondition(), lock.newCondition()),
            new PipeSide(lock.newCondition(), lock.newCondition())};
    /** Links that send from each side, closed when the other side goes. */
    private final List<Set<PipeLink>> senders = List.of(ConcurrentHashMap.newKeySet(), ConcurrentHashMap.newKeySet());
    /** A child's hold on a side, under the child's pid once known (0 before); see {@link #reserve}. */
    private record Reservation(int side, long pid) {
    }

    /** Reservations by number; guarded by {@link #lock}. */
    private final Map<Long, Reservation> reserved = new java.util.HashMap<>();
    /** Messages lent to receivers in other processes and not yet taken by them; guarded by {@link #lock}. */
    private int lentOut;

    static {
        // The hub hands pipe links here once this process holds a pipe.
        for (byte role : new byte[] {Hello.PIPE_SENDER, Hello.PIPE_RECEIVER, Hello.PIPE_CONTROL}) {
            Hub.handle(role, (channel, hello, deadline) ->
                    PipeLink.serve(channel, hello.value(), hello.side(), hello.kind(), hello.pid(), deadline));
        }
    }

    private PipeRelay(long id) {
        this.id = id;
    }

    /** A new pipe held by this process, registered so that other processes' links can find it. */
    static PipeRelay open() {
        PipeHolderExit.hook();
        PipeRelay relay = new PipeRelay(IDS.incrementAndGet());
        OPEN.put(relay.id, relay);
        return relay;
    }

    /** The pipe with this id if this process still holds it. */
    static PipeRelay find(long id) {
        return OPEN.get(id);
    }

    /** The pipes this process holds. */
    static Iterable<PipeRelay> held() {
        return OPEN.values();
    }

    long id() {
        return id;
    }

    /** Whether {@code side} is gone: nothing sent to it can be received. */
    boolean gone(int side) {
        lock.lock();
        try {
            return sides[side].gone();
        } finally {
            lock.unlock();
        }
    }

    /** One of this process's end objects for {@code side} exists; {@link #handleClosed} when it is closed or collected. */
    void handleOpened(int side) {
        lock.lock();
        try {
            sides[side].handleOpened();
        } finally {
            lock.unlock();
        }
    }

    void handleClosed(int side) {
        changeUsers(() -> sides[side].handleClosed());
    }

    /** A new user of {@code side}, in process {@code pid}. */
    void attach(int side, long pid) {
        lock.lock();
        try {
            sides[side].attach(pid);
        } finally {
            lock.unlock();
        }
    }

    /** A user of {@code side} in process {@code pid} is gone: closed, or its process ended. */
    void detach(int side, long pid) {
        changeUsers(() -> sides[side].detach(pid));
    }

    /**
     * Holds {@code side} open for a process that is being handed a copy of it, until
     * {@link #release} or the exit of the process {@link #bind} names.
     *
     * @return the reservation's number, for {@link #bind} and {@link #release}
     */
    long reserve(int side) {
        long number = RESERVATIONS.incrementAndGet();
        lock.lock();
        try {
            reserved.put(number, new Reservation(side, 0));
            sides[side].attach(0);
        } finally {
            lock.unlock();
        }
        return number;
    }

    /** Ties a reservation to the life of process {@code pid}: it is released when that process ends. */
    void bind(long reservation, long pid) {
        lock.lock();
        try {
            Reservation held = reserved.get(reservation);
            if (held == null || held.pid() != 0) {
                return;
            }
            sides[held.side()].rebind(pid);
            reserved.put(reservation, new Reservation(held.side(), pid));
        } finally {
            lock.unlock();
        }
        java.util.Optional<ProcessHandle> child = ProcessHandle.of(pid);
        if (child.isEmpty()) {
            release(reservation);
        } else {
            child.get().onExit().thenRun(() -> release(reservation));
        }
    }

    /** Ends a reservation; releasing one twice, or one unknown here, does nothing. */
    void release(long reservation) {
        changeUsers(() -> {
            Reservation held = reserved.remove(reservation);
            if (held != null) {
                sides[held.side()].detach(held.pid());
            }
        });
    }

    /** Registers a link that sends from {@code side}: it is closed when the other side goes. */
    void addSender(int side, PipeLink link) {
        senders.get(side).add(link);
        if (gone(1 - side)) {
            link.abort();
        }
    }

    void removeSender(int side, PipeLink link) {
        senders.get(side).remove(link);
    }

    /**
     * Queues {@code message} for the end {@code to}, waiting while that end's queue is full.
     *
     * @param senderClosed tells a waiting sender that its own end was closed meanwhile
     * @throws IOException when {@code to} is gone, or the sender's end closed
     * @throws SocketTimeoutException when the deadline passes while the queue is full
     */
    void put(int to, byte[] message, Deadline deadline, BooleanSupplier senderClosed) throws IOException {
        lock.lock();
        try {
            awaitRoom(to, message.length, deadline, senderClosed);
            append(sides[to], message);
        } finally {
            lock.unlock();
        }
    }

    /** Queues {@code messages}, in order, for the end {@code to}, waiting as {@link #put} does. */
    void putAll(int to, List<byte[]> messages, BooleanSupplier senderClosed) throws IOException {
        lock.lock();
        try {
            for (byte[] message : messages) {
                awaitRoom(to, message.length, Deadline.NONE, senderClosed);
                append(sides[to], message);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: waits while {@code to}'s queue has no room for {@code length} more bytes. */
    private void awaitRoom(int to, int length, Deadline deadline, BooleanSupplier senderClosed) throws IOException {
        PipeSide end = sides[to];
        try {
            while (!end.gone() && end.bytes > 0 && end.bytes + length > QUEUE_LIMIT) {
                if (senderClosed.getAsBoolean()) {
                    throw new IOException("this pipe end is closed");
                }
                if (!deadline.await(end.drained)) {
                    throw new SocketTimeoutException("the pipe is full: the other end has not received the "
                            + end.bytes + " bytes already waiting for it; the message was not sent");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for room in the pipe");
        }
        if (end.gone()) {
            throw new IOException("the other end of the pipe was closed by every process that used it; "
                    + "nothing can receive this message (Python's BrokenPipeError)");
        }
    }

    private static void append(PipeSide end, byte[] message) {
        end.messages.addLast(message);
        end.bytes += message.length;
        end.arrived.signal();
    }

    /**
     * Takes the next message waiting at {@code at}, waiting for one until the deadline, and with it, when the
     * receiving process {@code pid} is the end's only user, up to {@code maxCount - 1} more that
     * are already waiting, while their bytes stay within {@code maxBytes}: one hand-off per batch
     * rather than per message. With other users, one message: what is taken ahead could be wanted
     * by them while this receiver is busy. Only the first message is held to {@code maxLength}.
     *
     * @param lending whether the messages go to another process: they then count as lent in the same
     *        step that takes them off the queue, so that this process's exit cannot miss them
     * @param receiverClosed tells a waiting receiver that its end was closed, or its link lost, meanwhile
     * @throws EOFException when the other end is gone and no message is left
     * @throws MessageTooLongException when the next message is longer than {@code maxLength}; it stays
     * @throws SocketTimeoutException when the deadline passes first
     */
    List<byte[]> takeSome(int at, int maxLength, int maxCount, long maxBytes, long pid, boolean lending,
            Deadline deadline, BooleanSupplier receiverClosed) throws IOException {
        lock.lock();
        try {
            PipeSide end = sides[at];
            while (end.messages.isEmpty()) {
                if (sides[1 - at].gone()) {
                    throw new EOFException("the other end of the pipe was closed and every message has been received");
                }
                if (receiverClosed.getAsBoolean()) {
                    throw new IOException("this pipe end is closed");
                }
                if (!deadline.await(end.arrived)) {
                    throw new SocketTimeoutException("no message arrived at the pipe end in time");
                }
            }
            if (end.messages.peekFirst().length > maxLength) {
                throw new MessageTooLongException(end.messages.peekFirst().length, maxLength);
            }
            int most = end.soleUser(pid) ? maxCount : 1;
            List<byte[]> taken = new ArrayList<>();
            long takenBytes = 0;
            long before = end.bytes;
            do {
                byte[] next = end.messages.removeFirst();
                taken.add(next);
                takenBytes += next.length;
                end.bytes -= next.length;
            } while (taken.size() < most && !end.messages.isEmpty()
                    && takenBytes + end.messages.peekFirst().length <= maxBytes);
            if (lending) {
                lentOut += taken.size();
            }
            // Senders wake once the queue is half empty, not at every message: fewer hand-offs.
            if (before > QUEUE_LIMIT / 2 && end.bytes <= QUEUE_LIMIT / 2) {
                end.drained.signalAll();
            }
            if (end.messages.isEmpty()) {
                PipeHolderExit.mayProceed();
            } else {
                end.arrived.signal(); // another receiver may take the next one
            }
            return taken;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a message on the pipe");
        } finally {
            lock.unlock();
        }
    }

    /** {@code count} messages lent by {@link #takeSome} are no longer: taken by the receiver, or put back. */
    void returnedOrTaken(int count) {
        lock.lock();
        try {
            lentOut -= count;
        } finally {
            lock.unlock();
        }
        PipeHolderExit.mayProceed();
    }

    /**
     * Puts back messages taken for a receiver that did not get to them (its link ended, or its end
     * closed, before it took them), first in line again and in their order, for the end's next user;
     * dropped if the end is unreachable.
     */
    void putBack(int at, List<byte[]> messages) {
        if (messages.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            PipeSide end = sides[at];
            if (end.unreachable()) {
                return;
            }
            for (int i = messages.size() - 1; i >= 0; i--) {
                end.messages.addFirst(messages.get(i));
                end.bytes += messages.get(i).length;
            }
            end.arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether a message, or end-of-file, is waiting at {@code at}, waiting until the deadline.
     * Consumes nothing.
     */
    boolean poll(int at, Deadline deadline, BooleanSupplier receiverClosed) throws IOException {
        lock.lock();
        try {
            PipeSide end = sides[at];
            while (end.messages.isEmpty() && !sides[1 - at].gone()) {
                if (receiverClosed.getAsBoolean()) {
                    throw new IOException("this pipe end is closed");
                }
                if (!deadline.await(end.arrived)) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while polling the pipe");
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether this process must stay for this pipe: messages are lent to a receiver that has not
     * said it took them; another process (other than a daemon child) uses an end, and may still
     * send or receive through this one; or an end nobody has used yet has messages waiting while a
     * child that may have been handed it runs.
     */
    boolean keepsHolder(boolean childrenRunning) {
        lock.lock();
        try {
            if (lentOut > 0) {
                return true;
            }
            for (PipeSide end : sides) {
                if (end.usedElsewhere(SELF) || (!end.messages.isEmpty() && end.unused() && childrenRunning)) {
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs a change to the users under the lock, then what follows from it: an end that went closes
     * the links that send to it, an unreachable one drops its messages, every waiter looks again,
     * and a pipe with both ends unreachable is forgotten.
     */
    private void changeUsers(Runnable change) {
        List<PipeLink> toAbort = new ArrayList<>();
        lock.lock();
        try {
            change.run();
            for (int side = 0; side < 2; side++) {
                if (sides[side].gone()) {
                    toAbort.addAll(senders.get(1 - side));
                }
                if (sides[side].unreachable()) {
                    sides[side].discard();
                }
            }
            signalEverything();
            if (sides[0].unreachable() && sides[1].unreachable()) {
                OPEN.remove(id, this);
            }
        } finally {
            lock.unlock();
        }
        toAbort.forEach(PipeLink::abort);
        PipeHolderExit.mayProceed();
    }

    /** Under the lock: every waiter looks again (users changed, or an end was closed). */
    private void signalEverything() {
        for (PipeSide end : sides) {
            end.arrived.signalAll();
            end.drained.signalAll();
        }
    }

    @Override
    public String toString() {
        return "PipeRelay[" + id + "]";
    }
}
