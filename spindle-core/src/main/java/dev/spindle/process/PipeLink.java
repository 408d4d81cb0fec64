package dev.spindle.process;

import dev.spindle.process.wire.MessageChannel;
import dev.spindle.process.wire.Hello;
import dev.spindle.process.wire.Hub;
import dev.spindle.internal.Deadline;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The pipe-holding process's side of another process's link to one end of a pipe: what
 * {@link RemotePipeEnd} talks to. A process that uses an end opens up to two links, one per
 * direction, so that a sender waiting for room never holds up a receive on the same end.
 *
 * <h2>The exchange</h2>
 * After the hub's handshake and the hello ({@link Hub#PIPE_SENDER_HELLO} or
 * {@link Hub#PIPE_RECEIVER_HELLO} with the pipe's id and the end's side), this side attaches
 * the link as a user of the end and answers {@link #ATTACHED}, or {@link #UNKNOWN} when it holds no
 * such pipe (every user of both ends has closed them). A control link ({@link Hub#PIPE_CONTROL_HELLO})
 * is answered the same way but is not a user. Then:
 * <ul>
 *   <li>On a sender link, every message is one pipe message, queued for the other end. Sends
 *       get no answer: a message in this process, or in the kernel's buffer on its way here, is
 *       safe, whatever its sender does next.</li>
 *   <li>On a receiver link, each request ({@link #RECV} with the longest message the caller can
 *       take and a timeout; {@link #POLL} with a timeout) gets exactly one answer, in order:
 *       {@link #MESSAGES}, {@link #END_OF_FILE}, {@link #TIMED_OUT}, {@link #TOO_LONG} or
 *       {@link #READY}. A timeout of -1 means none. The requester has at most one request in flight.
 *       {@link #MESSAGES} lends a batch: the next message and those already waiting behind it, up to
 *       {@link #BATCH_COUNT} and {@link #BATCH_BYTES}. The receiver sends {@link #TAKEN} (one-way)
 *       before it hands each lent message to its caller; lent messages not yet taken when the link
 *       ends go back to the queue, first in line, so a receiver that dies loses none and delivers
 *       none twice.</li>
 *   <li>On a control link, each request is answered at once: {@link #RESERVE} holds the end open for
 *       a child being handed a copy and answers its number; {@link #BIND} ties a reservation to the
 *       child's pid; {@link #RELEASE} ends one. Reservations still unbound when the link ends (its
 *       process died while starting the child) are released.</li>
 * </ul>
 * A link's end of stream detaches it: its process closed the end, or ended. A message taken for
 * a receiver whose link broke before the answer went out is put back, first in line.
 */
final class PipeLink {

    static final byte UNKNOWN = 0;
    static final byte ATTACHED = 1;
    static final byte BROKEN = 2;
    static final byte RECV = 1;
    static final byte POLL = 2;
    static final byte TAKEN = 7;
    static final byte MESSAGES = 1;
    static final byte END_OF_FILE = 2;
    static final byte TIMED_OUT = 3;
    static final byte TOO_LONG = 4;
    static final byte READY = 5;
    static final byte RESERVE = 3;
    static final byte BIND = 4;
    static final byte RELEASE = 5;
    static final byte DONE = 6;

    private static final System.Logger LOG = System.getLogger(PipeLink.class.getName());
    private static final byte[] NOTHING = new byte[0];
    /** The most messages a sender link hands to the queue at once. */
    private static final int MAX_BATCH = 256;
    /** The most messages lent to a receiver at once. */
    static final int BATCH_COUNT = 256;
    /** The most bytes of messages lent to a receiver at once (one message may be larger). */
    static final long BATCH_BYTES = 256 * 1024;

    private final MessageChannel channel;
    private final PipeRelay relay;
    private final int side;
    /** The linked process, as whose user this link counts. */
    private final long pid;
    /**
     * Set by the thread that reads the link when it ends, before it returns what was lent: a receive
     * in progress then gives up, and one that took messages meanwhile puts them back itself.
     */
    private final AtomicBoolean lost = new AtomicBoolean();
    /** Messages lent to the receiver and not yet taken, oldest first; guarded by their own lock. */
    private final java.util.ArrayDeque<byte[]> lent = new java.util.ArrayDeque<>();
    private final java.util.concurrent.locks.ReentrantLock lentLock = new java.util.concurrent.locks.ReentrantLock();

    private PipeLink(MessageChannel channel, PipeRelay relay, int side, long pid) {
        this.channel = channel;
        this.relay = relay;
        this.side = side;
        this.pid = pid;
    }

    /**
     * Attaches an authenticated channel whose hello asked for end {@code side} of pipe {@code id},
     * answers it, and serves it on threads of its own.
     *
     * @return false when this process holds no such pipe (the channel was told so; close it)
     */
    static boolean serve(MessageChannel channel, long id, int side, byte role, long pid, Deadline deadline)
            throws IOException {
        PipeRelay relay = PipeRelay.find(id);
        if (relay == null || (side != PipeRelay.LEFT && side != PipeRelay.RIGHT)) {
            channel.sendTagged(UNKNOWN, NOTHING, 0, 0, deadline);
            return false;
        }
        boolean control = role == Hello.PIPE_CONTROL;
        if (role == Hello.PIPE_SENDER && relay.gone(1 - side)) {
            channel.sendTagged(BROKEN, NOTHING, 0, 0, deadline);
            return false;
        }
        if (!control) {
            relay.attach(side, pid);
        }
        PipeLink link = new PipeLink(channel, relay, side, pid);
        try {
            channel.sendTagged(ATTACHED, NOTHING, 0, 0, deadline);
        } catch (IOException | RuntimeException e) {
            if (!control) {
                link.detach();
            }
            throw e;
        }
        String name = "spindle-pipe-" + id + (side == PipeRelay.LEFT ? "-left" : "-right");
        Runnable work = role == Hello.PIPE_SENDER ? link::carryMessages
                : control ? link::answerControl : link::readRequests;
        if (role == Hello.PIPE_SENDER) {
            relay.addSender(side, link);
        }
        // A platform thread: it waits in its selector for every message, and a virtual thread's wait
        // goes through the JDK's poller, a hand-off more per message.
        Thread.ofPlatform().daemon().name(name + (role == Hello.PIPE_SENDER ? "-in"
                : control ? "-control" : "-requests")).start(work);
        return true;
    }

    /**
     * A sender link: each message goes to the other end's queue, waiting while it is full. Once the
     * other end is finished, the link is closed, so that the sender's next send fails as a write to
     * a broken pipe does.
     */
    private void carryMessages() {
        int to = 1 - side;
        List<byte[]> batch = new ArrayList<>();
        try {
            while (true) {
                // What one read brought in goes to the queue at once: one hand-off, not one per message.
                batch.add(channel.receive(Deadline.NONE));
                while (batch.size() < MAX_BATCH && channel.hasWholeMessage()) {
                    batch.add(channel.receive(Deadline.NONE));
                }
                relay.putAll(to, batch, lost::get);
                batch.clear();
            }
        } catch (IOException e) {
            // End of stream (the sender closed or ended), a broken link, or a finished other end.
        } finally {
            relay.removeSender(side, this);
            detach();
        }
    }

    /** Closes the link from this side: its reading thread then ends, and its user with it. */
    void abort() {
        try {
            channel.close();
        } catch (IOException e) {
            // Closed either way.
        }
    }

    /** A receiver link: reads requests, each served on a thread of its own so that this one sees the link end. */
    private void readRequests() {
        try {
            while (true) {
                MessageChannel.Tagged request = channel.receiveTagged(Deadline.NONE);
                ByteBuffer body = ByteBuffer.wrap(request.payload());
                if (request.tag() == TAKEN && body.remaining() == 4) {
                    taken(body.getInt());
                } else if (request.tag() == RECV && body.remaining() == 12) {
                    int maxLength = body.getInt();
                    Deadline deadline = deadline(body.getLong());
                    Thread.ofVirtual().name("spindle-pipe-recv").start(() -> answerRecv(maxLength, deadline));
                } else if (request.tag() == POLL && body.remaining() == 8) {
                    Deadline deadline = deadline(body.getLong());
                    Thread.ofVirtual().name("spindle-pipe-poll").start(() -> answerPoll(deadline));
                } else {
                    LOG.log(System.Logger.Level.WARNING, "a pipe link sent a malformed request (kind "
                            + request.tag() + ", " + request.payload().length + " bytes); closed it");
                    return;
                }
            }
        } catch (IOException e) {
            // The receiver closed its end or ended.
        } finally {
            lost.set(true);
            returnLent();
            detach(); // wakes a receive waiting for this link, which then sees it lost
        }
    }

    /** The receiver took {@code count} lent messages: they are its now. */
    private void taken(int count) {
        lentLock.lock();
        try {
            int gone = 0;
            for (; gone < count && !lent.isEmpty(); gone++) {
                lent.removeFirst();
            }
            relay.returnedOrTaken(gone);
        } finally {
            lentLock.unlock();
        }
    }

    /** The link ended: what the receiver had not taken goes back to the queue, for the end's other users. */
    private void returnLent() {
        List<byte[]> untaken;
        lentLock.lock();
        try {
            untaken = new ArrayList<>(lent);
            lent.clear();
        } finally {
            lentLock.unlock();
        }
        relay.putBack(side, untaken);
        relay.returnedOrTaken(untaken.size());
    }

    /** A control link: reservations for children being handed a copy of the end. Not a user itself. */
    private void answerControl() {
        java.util.Set<Long> unbound = new java.util.HashSet<>();
        try {
            while (true) {
                MessageChannel.Tagged request = channel.receiveTagged(Deadline.NONE);
                ByteBuffer body = ByteBuffer.wrap(request.payload());
                byte[] answer = NOTHING;
                if (request.tag() == RESERVE && body.remaining() == 0) {
                    long number = relay.reserve(side);
                    unbound.add(number);
                    answer = ByteBuffer.allocate(8).putLong(number).array();
                } else if (request.tag() == BIND && body.remaining() == 16) {
                    long number = body.getLong();
                    relay.bind(number, body.getLong());
                    unbound.remove(number);
                } else if (request.tag() == RELEASE && body.remaining() == 8) {
                    long number = body.getLong();
                    relay.release(number);
                    unbound.remove(number);
                } else {
                    LOG.log(System.Logger.Level.WARNING, "a pipe control link sent a malformed request (kind "
                            + request.tag() + ", " + request.payload().length + " bytes); closed it");
                    return;
                }
                channel.sendTagged(DONE, answer, 0, answer.length, Deadline.NONE);
            }
        } catch (IOException e) {
            // Its process let go of the end, or ended.
        } finally {
            unbound.forEach(relay::release);
            try {
                channel.close();
            } catch (IOException e) {
                // Gone either way.
            }
        }
    }

    private void answerRecv(int maxLength, Deadline deadline) {
        List<byte[]> batch = List.of();
        byte kind;
        byte[] answer;
        try {
            batch = relay.takeSome(side, maxLength, BATCH_COUNT, BATCH_BYTES, pid, true, deadline, lost::get);
            kind = MESSAGES;
            answer = encode(batch);
        } catch (EOFException e) {
            kind = END_OF_FILE;
            answer = NOTHING;
        } catch (SocketTimeoutException e) {
            kind = TIMED_OUT;
            answer = NOTHING;
        } catch (MessageTooLongException e) {
            kind = TOO_LONG;
            answer = ByteBuffer.allocate(4).putInt(e.length()).array();
        } catch (IOException e) {
            return; // the link was lost while waiting
        }
        lentLock.lock();
        try {
            if (lost.get()) {
                relay.putBack(side, batch); // the link ended while these were being taken
                relay.returnedOrTaken(batch.size());
                return;
            }
            lent.addAll(batch);
        } finally {
            lentLock.unlock();
        }
        try {
            channel.sendTagged(kind, answer, 0, answer.length, Deadline.NONE);
        } catch (IOException e) {
            // The link is lost; its reader returns what was lent when it sees the end.
        }
    }

    /** A batch on the wire: its count, then each message's length and bytes. */
    private static byte[] encode(List<byte[]> batch) {
        int size = 4;
        for (byte[] message : batch) {
            size += 4 + message.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).putInt(batch.size());
        for (byte[] message : batch) {
            out.putInt(message.length).put(message);
        }
        return out.array();
    }

    /** Reads what {@link #encode} wrote. */
    static List<byte[]> decodeBatch(byte[] answer) throws java.io.StreamCorruptedException {
        try {
            ByteBuffer in = ByteBuffer.wrap(answer);
            int count = in.getInt();
            if (count < 1 || count > BATCH_COUNT) {
                throw new java.io.StreamCorruptedException("the pipe's holder lent " + count + " messages at once");
            }
            List<byte[]> batch = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] message = new byte[in.getInt()];
                in.get(message);
                batch.add(message);
            }
            return batch;
        } catch (java.nio.BufferUnderflowException | NegativeArraySizeException e) {
            throw new java.io.StreamCorruptedException("the pipe's holder sent a batch cut short");
        }
    }

    private void answerPoll(Deadline deadline) {
        try {
            byte[] ready = {(byte) (relay.poll(side, deadline, lost::get) ? 1 : 0)};
            channel.sendTagged(READY, ready, 0, 1, Deadline.NONE);
        } catch (IOException e) {
            // The link was lost; nobody is waiting for the answer.
        }
    }

    private static Deadline deadline(long timeoutNanos) {
        return timeoutNanos < 0 ? Deadline.NONE : Deadline.afterNanos(timeoutNanos);
    }

    private void detach() {
        relay.detach(side, pid);
        try {
            channel.close();
        } catch (IOException e) {
            // Gone either way.
        }
    }
}
