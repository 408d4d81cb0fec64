package dev.spindle.process;

import dev.spindle.internal.Deadline;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * One pipe as the process that opened it holds it: for each end, the messages waiting to be
 * received there and who uses that end. This is the kernel's part in Python's pipe: a message
 * sent into a pipe lives here until some user of the other end receives it, whatever its sender
 * does next.
 *
 * <p>An end's users are: each end object, in any process, that has been used and not closed (in
 * this process directly, in others through their links, {@link PipeLink}); and each child process
 * that was started with the end captured in its task, from its start until it exits or closes its
 * copy (a <em>reservation</em>, bound to the child's pid, which this process watches). An end is
 * <em>finished</em> once it has had a user and has none left; the other end then reads end-of-file
 * after the messages already waiting, and sending to it fails. So, as with Python's descriptors, a
 * child that has not yet used its end keeps the pipe open for its siblings, while an end of this
 * process that was never used (the copy a parent keeps of the end it hands its child) never
 * keeps it open.
 *
 * <p>Each end's queue holds at most {@link #QUEUE_LIMIT} bytes: a sender beyond it waits, as on a
 * full kernel pipe. One message larger than the limit still goes in when the queue is empty.
 *
 * <p>Thread-safe: one lock per pipe, with two conditions per end: one for receivers (a message
 * arrived, or the other end finished) and one for senders (the queue fell to half its limit, or
 * the end finished), so that a full pipe wakes its senders once per half-queue, not per message.
 */
final class PipeRelay {

    /** Bytes of messages that may wait at one end before senders to it wait. */
    static final long QUEUE_LIMIT = 4L * 1024 * 1024;
    static final int LEFT = 0;
    static final int RIGHT = 1;

    private static final Map<Long, PipeRelay> OPEN = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();
    private static final java.util.concurrent.atomic.AtomicBoolean EXIT_HOOKED =
            new java.util.concurrent.atomic.AtomicBoolean();
    private static final ReentrantLock EXIT_LOCK = new ReentrantLock();
    private static final Condition DELIVERED = EXIT_LOCK.newCondition();

    private static final AtomicLong RESERVATIONS = new AtomicLong();

    private final long id;
    private final ReentrantLock lock = new ReentrantLock();
    private final Inbox[] inboxes = {new Inbox(), new Inbox()};
    /** Messages lent to receivers in other processes and not yet taken by them. */
    private final java.util.concurrent.atomic.AtomicInteger lentOut = new java.util.concurrent.atomic.AtomicInteger();
    /** Reservation number to the side it holds, for children handed an end. */
    private final Map<Long, Integer> reserved = new ConcurrentHashMap<>();

    /** What waits to be received at one end, and who uses that end. */
    private final class Inbox {
        final ArrayDeque<byte[]> messages = new ArrayDeque<>();
        /** Signalled when a message arrives, or this end's peer finishes: receivers wait on it. */
        final Condition arrived = lock.newCondition();
        /** Signalled when the queue falls to half its limit, or this end finishes: senders wait on it. */
        final Condition drained = lock.newCondition();
        long bytes;
        int users;
        /** Users that are end objects of this process: they cannot receive once it has exited. */
        int localUsers;
        boolean used;

        boolean finished() {
            return used && users == 0;
        }
    }

    private PipeRelay(long id) {
        this.id = id;
    }

    /** A new pipe held by this process, registered so that other processes' links can find it. */
    static PipeRelay open() {
        if (EXIT_HOOKED.compareAndSet(false, true)) {
            ExitSequence.at(ExitSequence.Step.DELIVER_PIPE_MESSAGES, PipeRelay::deliverBeforeExit);
        }
        PipeRelay relay = new PipeRelay(IDS.incrementAndGet());
        OPEN.put(relay.id, relay);
        return relay;
    }

    /** The pipe with this id if this process still holds it. */
    static PipeRelay find(long id) {
        return OPEN.get(id);
    }

    long id() {
        return id;
    }

    /** Whether {@code side} has had users and has none left: nothing sent to it can be received. */
    boolean finished(int side) {
        lock.lock();
        try {
            return inboxes[side].finished();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A new user of {@code side}: an end object's first use here ({@code local}), another process's
     * link, or a reservation for a child.
     */
    void attach(int side, boolean local) {
        lock.lock();
        try {
            Inbox end = inboxes[side];
            end.users++;
            end.used = true;
            if (local) {
                end.localUsers++;
            }
        } finally {
            lock.unlock();
        }
    }

    /** A user of {@code side} is gone: closed, or its process ended. */
    void detach(int side, boolean local) {
        lock.lock();
        try {
            Inbox end = inboxes[side];
            end.users--;
            if (local) {
                end.localUsers--;
            }
            // The other end may now read end-of-file; senders to this end may now fail.
            signalEverything();
            forgetIfOver();
        } finally {
            lock.unlock();
        }
        exitMayProceed();
    }

    /**
     * Holds {@code side} open for a process that is being handed a copy of it, until
     * {@link #release} or the exit of the process {@link #bind} names.
     *
     * @return the reservation's number, for {@link #bind} and {@link #release}
     */
    long reserve(int side) {
        long number = RESERVATIONS.incrementAndGet();
        reserved.put(number, side);
        attach(side, false);
        return number;
    }

    /** Ties a reservation to the life of process {@code pid}: it is released when that process ends. */
    void bind(long reservation, long pid) {
        java.util.Optional<ProcessHandle> holder = ProcessHandle.of(pid);
        if (holder.isEmpty()) {
            release(reservation);
            return;
        }
        holder.get().onExit().thenRun(() -> release(reservation));
    }

    /** Ends a reservation; releasing one twice, or one unknown here, does nothing. */
    void release(long reservation) {
        Integer side = reserved.remove(reservation);
        if (side != null) {
            detach(side, false);
        }
    }

    /**
     * Queues {@code message} for the end {@code to}, waiting while that end's queue is full.
     *
     * @param senderClosed tells a waiting sender that its own end was closed meanwhile
     * @throws IOException when every user of {@code to} has closed it, or the sender's end closed
     * @throws SocketTimeoutException when the deadline passes while the queue is full
     */
    void put(int to, byte[] message, Deadline deadline, BooleanSupplier senderClosed) throws IOException {
        lock.lock();
        try {
            awaitRoom(to, message.length, deadline, senderClosed);
            append(inboxes[to], message);
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
                append(inboxes[to], message);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: waits while {@code to}'s queue has no room for {@code length} more bytes. */
    private void awaitRoom(int to, int length, Deadline deadline, BooleanSupplier senderClosed) throws IOException {
        Inbox end = inboxes[to];
        try {
            while (!end.finished() && end.bytes > 0 && end.bytes + length > QUEUE_LIMIT) {
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
        if (end.finished()) {
            throw new IOException("the other end of the pipe was closed by every process that used it; "
                    + "nothing can receive this message (Python's BrokenPipeError)");
        }
    }

    private static void append(Inbox end, byte[] message) {
        end.messages.addLast(message);
        end.bytes += message.length;
        end.arrived.signal();
    }

    /**
     * Takes the next message waiting at {@code at}, waiting for one until the deadline.
     *
     * @param receiverClosed tells a waiting receiver that its end was closed, or its link lost, meanwhile
     * @throws EOFException when the other end is finished and no message is left
     * @throws MessageTooLongException when the next message is longer than {@code maxLength}; it stays
     * @throws SocketTimeoutException when the deadline passes first
     */
    byte[] take(int at, int maxLength, Deadline deadline, BooleanSupplier receiverClosed) throws IOException {
        return takeSome(at, maxLength, 1, 0, false, deadline, receiverClosed).get(0);
    }

    /**
     * Takes the next message waiting at {@code at} as {@link #take} does, and with it up to
     * {@code maxCount - 1} more that are already waiting, while their bytes stay within
     * {@code maxBytes}: what a receiver in another process is lent at once, so that a stream of
     * messages costs it one request per batch rather than per message. Only the first message is
     * held to {@code maxLength}.
     *
     * @param lending whether the messages are lent to another process: they then count as lent in
     *        the same step that takes them off the queue, so that an exit in between cannot miss them
     */
    List<byte[]> takeSome(int at, int maxLength, int maxCount, long maxBytes, boolean lending, Deadline deadline,
            BooleanSupplier receiverClosed) throws IOException {
        lock.lock();
        try {
            Inbox end = inboxes[at];
            while (end.messages.isEmpty()) {
                if (inboxes[1 - at].finished()) {
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
            List<byte[]> taken = new java.util.ArrayList<>();
            long takenBytes = 0;
            long before = end.bytes;
            do {
                byte[] next = end.messages.removeFirst();
                taken.add(next);
                takenBytes += next.length;
                end.bytes -= next.length;
            } while (taken.size() < maxCount && !end.messages.isEmpty()
                    && takenBytes + end.messages.peekFirst().length <= maxBytes);
            if (lending) {
                lentOut.addAndGet(taken.size());
            }
            // Senders wake once the queue is half empty, not at every message: fewer hand-offs.
            if (before > QUEUE_LIMIT / 2 && end.bytes <= QUEUE_LIMIT / 2) {
                end.drained.signalAll();
            }
            if (end.messages.isEmpty()) {
                forgetIfOver();
                exitMayProceed();
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
        if (lentOut.addAndGet(-count) == 0) {
            exitMayProceed();
        }
    }

    /**
     * Puts back messages taken for a receiver that did not get to them (its link ended before it
     * took them), first in line again and in their order.
     */
    void putBack(int at, List<byte[]> messages) {
        if (messages.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            Inbox end = inboxes[at];
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
            Inbox end = inboxes[at];
            while (end.messages.isEmpty() && !inboxes[1 - at].finished()) {
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

    /** Wakes every thread waiting on this pipe, so that each checks whether its end was closed. */
    void wakeAll() {
        lock.lock();
        try {
            signalEverything();
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: every waiter looks again (users changed, or an end was closed). */
    private void signalEverything() {
        for (Inbox end : inboxes) {
            end.arrived.signalAll();
            end.drained.signalAll();
        }
    }

    /**
     * Whether this process must stay to deliver: messages are lent to a receiver that has not said it
     * took them, or an end still has messages waiting and someone may yet receive them. That is a user other than this process's own end objects (another
     * process's link, or a child holding a reservation), or, for an end nobody has used yet, a
     * child still running that may have been handed it.
     */
    private boolean holdsDeliverable(boolean childrenRunning) {
        lock.lock();
        try {
            if (lentOut.get() > 0) {
                return true; // lent to a live receiver that has yet to say it took them
            }
            for (Inbox end : inboxes) {
                if (!end.messages.isEmpty() && (end.users > end.localUsers || (!end.used && childrenRunning))) {
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Once both ends are finished and nothing waits, no process can use this pipe again. */
    private void forgetIfOver() {
        if (inboxes[0].finished() && inboxes[1].finished()
                && inboxes[0].messages.isEmpty() && inboxes[1].messages.isEmpty()) {
            OPEN.remove(id, this);
        }
    }

    /**
     * At exit: waits while a pipe this process holds has messages that another process may still
     * receive, as Python's kernel keeps a pipe's bytes after the writer exits. Runs before the hub
     * stops accepting, so that a child's first use of its end can still arrive.
     */
    static void deliverBeforeExit() {
        long noticeAt = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        boolean noticed = false;
        EXIT_LOCK.lock();
        try {
            while (true) {
                boolean children = OutlivingChildren.anyRunning();
                if (OPEN.values().stream().noneMatch(r -> r.holdsDeliverable(children))) {
                    return;
                }
                if (!noticed && System.nanoTime() - noticeAt >= 0) {
                    noticed = true;
                    System.getLogger(PipeRelay.class.getName()).log(System.Logger.Level.INFO,
                            "process " + ProcessHandle.current().pid() + " waits to exit until the messages it "
                                    + "holds in its pipes are received, as a pipe's bytes outlive their writer; "
                                    + "close the receiving ends or end the processes holding them to exit now");
                }
                // Children end without signalling this lock, so look again now and then.
                DELIVERED.await(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            EXIT_LOCK.unlock();
        }
    }

    private static void exitMayProceed() {
        if (EXIT_LOCK.tryLock()) {
            try {
                DELIVERED.signalAll();
            } finally {
                EXIT_LOCK.unlock();
            }
        }
    }

    @Override
    public String toString() {
        return "PipeRelay[" + id + "]";
    }
}
