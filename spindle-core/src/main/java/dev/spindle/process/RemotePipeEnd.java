package dev.spindle.process;

import dev.spindle.process.wire.MessageChannel;
import dev.spindle.process.wire.Run;
import dev.spindle.process.wire.Hello;
import dev.spindle.process.wire.Dialer;
import dev.spindle.process.wire.Hub;
import dev.spindle.internal.Deadline;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.StreamCorruptedException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * An end used in a process other than the one holding its pipe: it reaches the holder's
 * {@link Hub} over up to three authenticated links, each made on its first use: a sender
 * link for sends, a receiver link for receives and polls, and a control link for reservations
 * (see {@link PipeLink} for what crosses them). A send in one thread never waits for a receive in
 * another, nor for another link's first connection.
 *
 * <p>A receive asks the holder for the next message and waits for the answer, which lends it the
 * messages already waiting behind it too when this process is the end's only user; later receives
 * take those without asking. Before a lent message goes to the caller, this end tells the holder
 * it is taken, so a process that dies with lent messages loses none (the holder puts them back for
 * the end's other users) and none is delivered twice. A receive that gives up before the answer
 * came (its deadline passed, or it was interrupted) leaves the answer owed; the next receive or
 * poll collects it first, so no message is lost to a timeout.
 *
 * <p>A send waits for room in its link to begin its message until its deadline, and when that
 * passes first gives up with nothing written. Once it has begun to write its message it finishes
 * it, however long that takes: half a message would break the link. An interrupt ends neither
 * wait; it stays set for the caller.
 *
 * <p>When the holder has ended, the pipe is gone: a receive then reads end-of-file and a send fails,
 * as they do on a Python pipe whose other end's processes have all exited.
 */
final class RemotePipeEnd implements PipeEnd {

    /** What a send meets once the other end is gone. */
    private static final PipeEnd BROKEN = new EndedPipeEnd("the process holding the pipe stopped taking messages for it");
    /** How much longer than the holder's own wait a receiver waits for its answer. */
    private static final long ANSWER_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final byte[] ONE = {0, 0, 0, 1};

    /** What a link is for; each is made on its first use. */
    private enum Role {
        SENDER(Hello.PIPE_SENDER), RECEIVER(Hello.PIPE_RECEIVER),
        CONTROL(Hello.PIPE_CONTROL);

        final byte hello;

        Role(byte hello) {
            this.hello = hello;
        }
    }

    private final Path hub;
    private final long pipe;
    private final int side;
    private final long holderPid;
    private final BooleanSupplier closed;
    /** The links, by {@link Role}; a close reads them without waiting for a link being made. */
    private final AtomicReferenceArray<MessageChannel> links = new AtomicReferenceArray<>(Role.values().length);
    /** One lock per role, held while its link is made, so that making one never holds up another. */
    private final ReentrantLock[] making = {new ReentrantLock(), new ReentrantLock(), new ReentrantLock()};
    /** Serializes requests on the control link, which any thread may make. */
    private final ReentrantLock controlLock = new ReentrantLock();
    private volatile PipeEnd ended;
    /** Set once the other end is known to be gone: sends fail from then on, receives go on. */
    private volatile boolean sendBroken;
    /** Receiver state, touched only under the connection's receive lock. */
    private boolean answerOwed;
    /** Messages the holder lent this end and no caller has taken yet, oldest first; receiver state too. */
    private final ArrayDeque<byte[]> lent = new ArrayDeque<>();

    RemotePipeEnd(Path hub, long pipe, int side, long holderPid, BooleanSupplier closed) {
        this.hub = hub;
        this.pipe = pipe;
        this.side = side;
        this.holderPid = holderPid;
        this.closed = closed;
    }

    /** Where the pipe's holder listens. */
    Path hub() {
        return hub;
    }

    @Override
    public void send(byte[] bytes, int offset, int length, Deadline deadline) throws IOException {
        MessageChannel link = sendBroken ? null : link(Role.SENDER);
        if (link == null) {
            (sendBroken ? BROKEN : ended).send(bytes, offset, length, deadline);
            return;
        }
        try {
            link.send(bytes, offset, length, deadline);
        } catch (InterruptedIOException e) {
            throw e; // timed out (or interrupted) before the message began: nothing sent, the link is whole
        } catch (IOException e) {
            requireOpen();
            if (!holderAlive()) {
                lost(e).send(bytes, offset, length, deadline);
                return;
            }
            // The holder closed this link: the other end is gone. Receiving on this end goes on.
            sendBroken = true;
            closeQuietly(links.getAndSet(Role.SENDER.ordinal(), null));
            BROKEN.send(bytes, offset, length, deadline);
        }
    }

    @Override
    public byte[] receive(int maxLength, Deadline deadline) throws IOException {
        if (!lent.isEmpty()) {
            return takeLent(links.get(Role.RECEIVER.ordinal()), maxLength);
        }
        MessageChannel link = link(Role.RECEIVER);
        if (link == null) {
            return ended.receive(maxLength, deadline);
        }
        try {
            if (lent.isEmpty() && answerOwed) {
                MessageChannel.Tagged late = await(link, deadline);
                if (late.tag() == PipeLink.END_OF_FILE) {
                    throw endOfFile();
                }
                keepLent(late);
            }
            if (lent.isEmpty()) {
                ask(link, ByteBuffer.allocate(12).putInt(maxLength).putLong(timeoutNanos(deadline)), PipeLink.RECV);
                MessageChannel.Tagged answer = await(link, answerDeadline(deadline));
                switch (answer.tag()) {
                    case PipeLink.MESSAGES -> keepLent(answer);
                    case PipeLink.END_OF_FILE -> throw endOfFile();
                    case PipeLink.TIMED_OUT -> throw new SocketTimeoutException("no message arrived at the pipe end in time");
                    case PipeLink.TOO_LONG -> throw new MessageTooLongException(
                            ByteBuffer.wrap(answer.payload()).getInt(), maxLength);
                    default -> throw new StreamCorruptedException("the pipe's holder answered a receive with kind "
                            + answer.tag());
                }
            }
            return takeLent(link, maxLength);
        } catch (InterruptedIOException | EOFException | MessageTooLongException e) {
            throw e;
        } catch (IOException e) {
            return lost(e).receive(maxLength, deadline);
        }
    }

    @Override
    public boolean poll(Deadline deadline) throws IOException {
        if (!lent.isEmpty()) {
            return true;
        }
        MessageChannel link = link(Role.RECEIVER);
        if (link == null) {
            return ended.poll(deadline);
        }
        try {
            if (answerOwed) {
                MessageChannel.Tagged late = await(link, deadline);
                if (late.tag() == PipeLink.END_OF_FILE) {
                    return true;
                }
                keepLent(late);
                if (!lent.isEmpty()) {
                    return true;
                }
            }
            ask(link, ByteBuffer.allocate(8).putLong(timeoutNanos(deadline)), PipeLink.POLL);
            MessageChannel.Tagged answer = await(link, answerDeadline(deadline));
            return answer.tag() == PipeLink.READY && answer.payload().length == 1 && answer.payload()[0] == 1;
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            return lost(e).poll(deadline);
        }
    }

    @Override
    public long reserve() throws IOException {
        byte[] answer = control(PipeLink.RESERVE, new byte[0]);
        return answer == null ? 0 : ByteBuffer.wrap(answer).getLong();
    }

    @Override
    public void bind(long number, long pid) throws IOException {
        control(PipeLink.BIND, ByteBuffer.allocate(16).putLong(number).putLong(pid).array());
    }

    @Override
    public void release(long number) throws IOException {
        control(PipeLink.RELEASE, ByteBuffer.allocate(8).putLong(number).array());
    }

    @Override
    public void close(long reservation) {
        // The data links first: that wakes this process's waiting calls, and detaches this user.
        closeQuietly(links.getAndSet(Role.SENDER.ordinal(), null));
        closeQuietly(links.getAndSet(Role.RECEIVER.ordinal(), null));
        if (reservation != 0) {
            try {
                release(reservation);
            } catch (IOException e) {
                // The holder is gone, and the reservation with it.
            }
        }
        closeQuietly(links.getAndSet(Role.CONTROL.ordinal(), null));
    }

    /** One request on the control link and its answer; null once the pipe is gone. */
    private byte[] control(byte kind, byte[] body) throws IOException {
        controlLock.lock();
        try {
            MessageChannel link = link(Role.CONTROL);
            if (link == null) {
                return null;
            }
            Deadline deadline = Deadline.afterNanos(Hub.HELLO_TIMEOUT_NANOS);
            link.sendTagged(kind, body, 0, body.length, deadline);
            return link.receiveTagged(deadline).payload();
        } finally {
            controlLock.unlock();
        }
    }

    /** Keeps what an answer lent; other kinds of answer (a late timeout or poll) lend nothing. */
    private void keepLent(MessageChannel.Tagged answer) throws StreamCorruptedException {
        if (answer.tag() == PipeLink.MESSAGES) {
            lent.addAll(PipeLink.decodeBatch(answer.payload()));
        }
    }

    /**
     * The oldest lent message, if it fits: the holder hears that it is taken before the caller gets
     * it, so that it is neither lost nor given to another receiver if this process then dies.
     *
     * @param link the receiver link, or null when it is gone
     */
    private byte[] takeLent(MessageChannel link, int maxLength) throws IOException {
        byte[] next = lent.peekFirst();
        if (next.length > maxLength) {
            throw new MessageTooLongException(next.length, maxLength);
        }
        try {
            if (link == null) {
                throw new IOException("the link to the pipe's holder is gone");
            }
            link.sendTagged(PipeLink.TAKEN, ONE, 0, ONE.length, Deadline.NONE);
        } catch (IOException e) {
            if (holderAlive()) {
                throw e; // the holder lives and, seeing the link end, puts the message back for others
            }
            // The holder died: nobody else can get this message, so it is this receiver's.
        }
        return lent.removeFirst();
    }

    /** This end's link for {@code role}, made on first use; null once the pipe is known to be gone. */
    private MessageChannel link(Role role) throws IOException {
        if (role != Role.CONTROL) {
            requireOpen();
        }
        MessageChannel existing = links.get(role.ordinal());
        if (existing != null || ended != null) {
            return existing;
        }
        ReentrantLock lock = making[role.ordinal()];
        lock.lock();
        try {
            existing = links.get(role.ordinal());
            if (existing != null || ended != null) {
                return existing;
            }
            MessageChannel made = attach(role);
            if (made != null) {
                links.set(role.ordinal(), made);
                if (role != Role.CONTROL && closed.getAsBoolean()) {
                    // Closed while this link was being made: a close reads only the links that exist.
                    closeQuietly(links.getAndSet(role.ordinal(), null));
                    throw new IOException("this pipe end is closed");
                }
            }
            return made;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Dials the holder and asks for this end; null (and {@link #ended} or {@link #sendBroken} set)
     * when the holder is gone, no longer has the pipe, or refuses a sender to a gone end.
     */
    private MessageChannel attach(Role role) throws IOException {
        Deadline handshake = Deadline.afterNanos(Hub.HELLO_TIMEOUT_NANOS);
        MessageChannel made;
        try {
            made = Dialer.dial(hub, Run.current().key(), Hello.of(role.hello, pipe, side), handshake);
        } catch (AuthenticationException e) {
            throw e;
        } catch (IOException e) {
            if (holderAlive()) {
                // The holder lives, so this is this process's trouble (out of descriptors, say), not the pipe's end.
                throw new IOException("cannot reach process " + holderPid + ", which holds the pipe: "
                        + e.getMessage(), e);
            }
            ended = new EndedPipeEnd("the process that opened the pipe, pid " + holderPid + ", has ended");
            return null;
        }
        try {
            byte answer = made.receiveTagged(handshake).tag();
            if (answer == PipeLink.ATTACHED) {
                return made;
            }
            made.close();
            if (answer == PipeLink.BROKEN) {
                sendBroken = true;
            } else {
                ended = new EndedPipeEnd("process " + holderPid + " no longer holds the pipe");
            }
            return null;
        } catch (IOException | RuntimeException e) {
            made.close();
            throw e;
        }
    }

    private void ask(MessageChannel link, ByteBuffer request, byte kind) throws IOException {
        byte[] body = request.array();
        link.sendTagged(kind, body, 0, body.length, Deadline.NONE);
        answerOwed = true;
    }

    private MessageChannel.Tagged await(MessageChannel link, Deadline deadline) throws IOException {
        MessageChannel.Tagged answer = link.receiveTagged(deadline);
        answerOwed = false;
        return answer;
    }

    /** After a link broke: closed by this process, or the holder is gone and with it the pipe. */
    private PipeEnd lost(IOException cause) throws IOException {
        requireOpen();
        closeQuietly(links.getAndSet(Role.SENDER.ordinal(), null));
        closeQuietly(links.getAndSet(Role.RECEIVER.ordinal(), null));
        ended = new EndedPipeEnd("the process that opened the pipe, pid " + holderPid + ", has ended: "
                + cause.getMessage());
        return ended;
    }

    private boolean holderAlive() {
        return ProcessHandle.of(holderPid).map(ProcessHandle::isAlive).orElse(false);
    }

    private void requireOpen() throws IOException {
        if (closed.getAsBoolean()) {
            throw new IOException("this pipe end is closed");
        }
    }

    private static EOFException endOfFile() {
        return new EOFException("the other end of the pipe was closed and every message has been received");
    }

    private static long timeoutNanos(Deadline deadline) {
        return deadline.isNone() ? -1 : Math.max(0, deadline.remainingNanos());
    }

    private static Deadline answerDeadline(Deadline deadline) {
        return deadline.isNone() ? Deadline.NONE
                : Deadline.afterNanos(Math.max(0, deadline.remainingNanos()) + ANSWER_GRACE_NANOS);
    }

    private static void closeQuietly(MessageChannel link) {
        if (link != null) {
            try {
                link.close();
            } catch (IOException e) {
                // Letting go anyway.
            }
        }
    }
}
