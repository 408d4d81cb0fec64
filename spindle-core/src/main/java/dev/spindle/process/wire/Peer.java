package dev.spindle.process.wire;

import dev.spindle.internal.Deadline;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One authenticated connection to another process of the run, multiplexed: any number of threads
 * on either side may have calls in flight on it at once, in both directions. Every message is an
 * {@link Envelope}.
 *
 * <p>One reader per connection (a platform thread) reads every envelope in order. A reply
 * completes its call. A call is first served right there, told not to wait; only a call that would
 * wait gets a virtual thread of its own, so that it holds up nothing else on the connection. A
 * one-way message is served on the reader, so it takes effect before anything sent after it.
 *
 * <h2>Lifecycle</h2>
 * Open from {@link #start} until the connection ends (the other process closed it or ended, or
 * {@link #close}). Then every call in flight fails with a {@link PeerGoneException}, every call
 * being served for the other process is interrupted, every {@link ServedObject} hears
 * {@link ServedObject#peerEnded}, and the {@link #onEnd} actions run, once. When this process
 * exits, the last step of its {@link ExitSequence} closes every connection still open and waits
 * for their readers.
 *
 * <h2>Cancelling</h2>
 * A caller interrupted while it waits sends a cancel and then waits (up to
 * {@link #REPLY_GRACE_NANOS}: the reply is on its way) for the call's reply: an interrupted {@code take} that raced with an item's
 * arrival returns the item, with the interrupt kept, rather than dropping it.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>Replies are sent by the reader when a call needs no wait: a peer that stops reading for
 *   long enough to fill both socket buffers (1 MiB each) stalls this side's reader too. A holder
 *   that sends while holding a lock uses {@link #post}, which never waits for the socket.</li>
 * </ul>
 */
public final class Peer implements Closeable {

    /**
     * How much longer than the time the call allowed its holder a caller waits for a reply: a
     * holder that is alive answers a timed-out call at once, so this only bounds a stopped one.
     */
    static final long REPLY_GRACE_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final System.Logger LOG = System.getLogger(Peer.class.getName());
    private static final byte[] EMPTY = new byte[0];

    private static final AtomicLong SERIALS = new AtomicLong();

    private final MessageChannel channel;
    private final long pid;
    private final long serial = SERIALS.incrementAndGet();
    private final ServedObject home;
    private final AtomicLong callIds = new AtomicLong();
    private final Map<Long, CompletableFuture<Envelope>> pending = new ConcurrentHashMap<>();
    private final Map<Long, Thread> serving = new ConcurrentHashMap<>();
    private final List<Runnable> endActions = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final java.util.concurrent.locks.ReentrantLock outbound = new java.util.concurrent.locks.ReentrantLock();
    private final java.util.concurrent.locks.Condition postedReady = outbound.newCondition();
    /** What {@link #post} queued and the writer has not sent yet; guarded by {@link #outbound}. */
    private final java.util.ArrayDeque<byte[][]> posted = new java.util.ArrayDeque<>();
    private Thread writer;
    /** Reads every envelope; {@link OpenPeers} waits for it at exit. */
    final Thread reader;
    private volatile IOException endCause;

    private Peer(MessageChannel channel, long pid, ServedObject home) {
        this.channel = channel;
        this.pid = pid;
        this.home = home;
        // A platform thread: it waits in its selector for every message, and a virtual thread's wait
        // there goes through the JDK's poller, a hand-off more per message, which halved throughput.
        this.reader = Thread.ofPlatform().daemon().name("spindle-peer-" + pid).unstarted(this::read);
    }

    /**
     * Starts serving an authenticated {@code channel} to process {@code pid}: its reader begins.
     * {@code home}, if not null, is the object that target 0 names on this connection.
     */
    public static Peer start(MessageChannel channel, long pid, ServedObject home) {
        Peer peer = new Peer(channel, pid, home);
        OpenPeers.opened(peer);
        peer.reader.start();
        return peer;
    }

    /** The other process's pid. */
    public long pid() {
        return pid;
    }

    /** This connection's number in this process, never 0: what tells two connections apart. */
    public long serial() {
        return serial;
    }

    /** Whether the connection has ended. */
    public boolean hasEnded() {
        return ended.isDone();
    }

    /** Waits until the connection has ended, at most until {@code deadline}; true if it has. */
    public boolean awaitEnd(Deadline deadline) throws InterruptedException {
        try {
            deadline.get(ended);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true; // never completed exceptionally
        }
    }

    /** Runs {@code action} once the connection ends (at once if it has). */
    public void onEnd(Runnable action) {
        endActions.add(action);
        if (ended.isDone() && endActions.remove(action)) {
            action.run();
        }
    }

    /**
     * Calls operation {@code op} of object {@code target} in the other process and waits for the
     * reply; the object may wait up to {@code wait} there.
     *
     * @return the reply's payload, or {@code null} when the call timed out where it was served
     * @throws CallFailedException when the object threw
     * @throws PeerGoneException when the connection ended first
     * @throws InterruptedException when interrupted and the call was cancelled before it was served
     */
    public ByteBuffer call(long target, byte op, byte[] payload, Deadline wait) throws IOException, InterruptedException {
        long id = callIds.incrementAndGet();
        CompletableFuture<Envelope> reply = send(id, target, op, payload, wait);
        Envelope answer;
        try {
            answer = awaitReply(id, reply, wait);
        } catch (InterruptedException e) {
            answer = cancel(id, reply);
            if (answer.kind() == Envelope.ERROR && answer.code() == CallFailedException.CANCELLED) {
                throw e;
            }
            Thread.currentThread().interrupt(); // served before the cancel arrived: keep what it gave
        }
        return payloadOf(answer);
    }

    /**
     * {@link #call}, deaf to interrupts: no cancel is sent, so a call the other side has begun is
     * never stopped halfway (and then made again); the thread's interrupt status is kept for it.
     */
    public ByteBuffer callUninterruptibly(long target, byte op, byte[] payload, Deadline wait) throws IOException {
        long id = callIds.incrementAndGet();
        CompletableFuture<Envelope> reply = send(id, target, op, payload, wait);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return payloadOf(awaitReply(id, reply, wait));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Sends a message that wants no reply. It is sent whole even if the thread is interrupted
     * meanwhile; once this returns, it is in the kernel on its way, and arrives even if this
     * process dies now.
     */
    public void oneWay(long target, byte op, byte[] payload, int offset, int length) throws IOException {
        checkOpen();
        channel.sendWithHeader(Envelope.oneWayHeader(target, op, Thread.currentThread().threadId()), payload, offset,
                length, Deadline.NONE);
    }

    /**
     * Queues a message that wants no reply, to be sent in the order posted by this connection's
     * writer (a virtual thread started on first use); never waits for the socket. For a holder
     * that sends while it holds a lock: a peer that does not read (stopped, or its buffers full)
     * then holds up only its own messages, never the lock's other users. Messages posted to a
     * connection that has ended are dropped, as the connection's end says they would be.
     */
    public void post(long target, byte op, byte[] payload) {
        byte[] header = Envelope.oneWayHeader(target, op, Thread.currentThread().threadId());
        outbound.lock();
        try {
            if (hasEnded()) {
                return;
            }
            posted.addLast(new byte[][] {header, payload});
            if (writer == null) {
                writer = Thread.ofVirtual().name("spindle-peer-writer-" + pid).start(this::writePosted);
            }
            postedReady.signal();
        } finally {
            outbound.unlock();
        }
    }

    private void writePosted() {
        while (true) {
            byte[][] message;
            outbound.lock();
            try {
                while (posted.isEmpty() && !hasEnded()) {
                    postedReady.awaitUninterruptibly();
                }
                if (hasEnded()) {
                    posted.clear();
                    return;
                }
                message = posted.pollFirst();
            } finally {
                outbound.unlock();
            }
            try {
                channel.sendWithHeader(message[0], message[1], 0, message[1].length, Deadline.NONE);
            } catch (IOException e) {
                end(e);
                return;
            }
        }
    }

    /** Stops this connection's reader from polling before it sleeps ({@link MessageChannel#stopPolling}). */
    public void stopPolling() {
        channel.stopPolling();
    }

    /** Ends the connection (see the class's Lifecycle). */
    @Override
    public void close() {
        end(new PeerGoneException("the connection to process " + pid + " was closed", null));
    }

    @Override
    public String toString() {
        return "Peer[pid=" + pid + (ended.isDone() ? ", ended" : "") + "]";
    }

    private CompletableFuture<Envelope> send(long id, long target, byte op, byte[] payload, Deadline wait)
            throws IOException {
        CompletableFuture<Envelope> reply = new CompletableFuture<>();
        pending.put(id, reply);
        try {
            checkOpen();
            long waitNanos = wait.isNone() ? Envelope.NO_LIMIT : Math.max(0, wait.remainingNanos());
            channel.sendWithHeader(Envelope.callHeader(id, target, op, Thread.currentThread().threadId(), waitNanos),
                    payload, 0, payload.length, Deadline.NONE);
        } catch (IOException e) {
            pending.remove(id);
            throw gone(e);
        }
        if (hasEnded()) {
            failPending(); // the reader may have failed the others before this one was added
        }
        return reply;
    }

    private Envelope awaitReply(long id, CompletableFuture<Envelope> reply, Deadline wait)
            throws IOException, InterruptedException {
        try {
            if (wait.isNone()) {
                return reply.get();
            }
            return reply.get(Math.max(0, wait.remainingNanos()) + REPLY_GRACE_NANOS, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (TimeoutException e) {
            pending.remove(id);
            sendCancel(id);
            throw new SocketTimeoutException("process " + pid + " did not answer a call within "
                    + TimeUnit.NANOSECONDS.toSeconds(REPLY_GRACE_NANOS) + " s of its timeout; it may be stopped");
        }
    }

    /** After an interrupt: asks the other side to stop serving the call, and takes its final reply. */
    private Envelope cancel(long id, CompletableFuture<Envelope> reply) throws IOException {
        sendCancel(id);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return reply.get(REPLY_GRACE_NANOS, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
                } catch (TimeoutException e) {
                    pending.remove(id);
                    throw new InterruptedIOException("interrupted; process " + pid + " did not confirm the "
                            + "cancelled call within " + TimeUnit.NANOSECONDS.toSeconds(REPLY_GRACE_NANOS) + " s");
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void sendCancel(long id) {
        try {
            channel.sendWithHeader(Envelope.cancelHeader(id), EMPTY, 0, 0, Deadline.NONE);
        } catch (IOException e) {
            // The connection is ending; the pending call fails with it.
        }
    }

    private static ByteBuffer payloadOf(Envelope answer) throws CallFailedException {
        if (answer.kind() == Envelope.ERROR) {
            throw new CallFailedException(answer.code(), answer.payload());
        }
        return answer.payload().hasRemaining() ? answer.payload() : null;
    }

    private void checkOpen() throws PeerGoneException {
        IOException cause = endCause;
        if (cause != null) {
            throw gone(cause);
        }
    }

    private PeerGoneException gone(IOException cause) {
        return cause instanceof PeerGoneException g ? g
                : new PeerGoneException("the connection to process " + pid + " ended: " + cause.getMessage(), cause);
    }

    private void read() {
        try {
            while (true) {
                Envelope envelope = Envelope.decode(channel.receive(Deadline.NONE));
                switch (envelope.kind()) {
                    case Envelope.RETURN, Envelope.ERROR -> {
                        CompletableFuture<Envelope> reply = pending.remove(envelope.callId());
                        if (reply != null) {
                            reply.complete(envelope);
                        }
                    }
                    case Envelope.CALL -> serve(envelope);
                    case Envelope.ONE_WAY -> receiveOneWay(envelope);
                    case Envelope.CANCEL -> {
                        Thread server = serving.get(envelope.callId());
                        if (server != null) {
                            server.interrupt();
                        }
                    }
                    default -> throw new java.io.StreamCorruptedException("unexpected envelope kind " + envelope.kind());
                }
            }
        } catch (EOFException e) {
            end(new PeerGoneException("process " + pid + " closed the connection (it has ended, or let go)", e));
        } catch (IOException e) {
            end(e);
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "the connection to process " + pid + " failed", e);
            end(new IOException(e));
        }
    }

    private ServedObject target(long id) {
        return id == 0 ? home : ServedObjects.get(id);
    }

    private void serve(Envelope call) throws IOException {
        ServedObject object = target(call.target());
        if (object == null) {
            replyError(call.callId(), CallFailedException.NO_SUCH_OBJECT, "process "
                    + ProcessHandle.current().pid() + " serves no object " + call.target()
                    + " (any more): the object was closed, or its holder restarted");
            return;
        }
        Caller caller = new Caller(pid, call.thread(), this);
        byte[] now;
        try {
            now = object.call(caller, call.op(), call.payload().duplicate(), Deadline.afterNanos(0));
        } catch (Exception e) {
            replyFailure(call.callId(), e);
            return;
        }
        if (now != null || call.waitNanos() <= 0) {
            reply(call.callId(), now);
            return;
        }
        Deadline deadline = call.waitNanos() == Envelope.NO_LIMIT ? Deadline.NONE : Deadline.afterNanos(call.waitNanos());
        Thread server = Thread.ofVirtual().name("spindle-call-" + pid + "-" + call.callId()).unstarted(() -> {
            byte[] answer;
            try {
                answer = object.call(caller, call.op(), call.payload().duplicate(), deadline);
            } catch (Exception e) {
                serving.remove(call.callId());
                Thread.interrupted(); // a cancel's interrupt must not stop the reply that settles the call
                replyFailure(call.callId(), e);
                return;
            }
            serving.remove(call.callId());
            Thread.interrupted();
            reply(call.callId(), answer);
        });
        serving.put(call.callId(), server);
        server.start();
    }

    private void receiveOneWay(Envelope message) {
        ServedObject object = target(message.target());
        if (object == null) {
            LOG.log(System.Logger.Level.DEBUG, "dropped a message from process " + pid + " to object "
                    + message.target() + ", which is no longer served");
            return;
        }
        try {
            object.oneWay(new Caller(pid, message.thread(), this), message.op(), message.payload());
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "a message from process " + pid + " to object " + message.target()
                    + " failed: " + e, e);
        }
    }

    private void reply(long callId, byte[] payload) {
        try {
            byte[] body = payload == null ? EMPTY : payload;
            channel.sendWithHeader(Envelope.returnHeader(callId), body, 0, body.length, Deadline.NONE);
        } catch (IOException e) {
            end(e);
        }
    }

    private void replyFailure(long callId, Exception e) {
        byte code = CallFailedException.codeOf(e);
        String message = e.getMessage() != null ? e.getMessage() : e.toString();
        if (code == CallFailedException.FAILED) {
            LOG.log(System.Logger.Level.WARNING, "a call from process " + pid + " failed", e);
        }
        replyError(callId, code, message);
    }

    private void replyError(long callId, byte code, String message) {
        sendError(callId, code, message.getBytes(StandardCharsets.UTF_8));
    }

    private void sendError(long callId, byte code, byte[] body) {
        try {
            channel.sendWithHeader(Envelope.errorHeader(callId, code), body, 0, body.length, Deadline.NONE);
        } catch (IOException e) {
            end(e);
        }
    }

    private void end(IOException cause) {
        if (endCause == null) {
            endCause = cause;
        }
        if (!ended.complete(null)) {
            return;
        }
        OpenPeers.ended(this);
        try {
            channel.close();
        } catch (IOException e) {
            // Ending anyway.
        }
        failPending();
        outbound.lock();
        try {
            postedReady.signalAll();
        } finally {
            outbound.unlock();
        }
        serving.values().forEach(Thread::interrupt);
        if (home != null) {
            home.peerEnded(this);
        }
        ServedObjects.peerEnded(this);
        for (Runnable action : endActions) {
            if (endActions.remove(action)) {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "an action on the end of the connection to process " + pid
                            + " failed", e);
                }
            }
        }
    }

    private void failPending() {
        PeerGoneException gone = gone(endCause);
        for (Long id : List.copyOf(pending.keySet())) {
            CompletableFuture<Envelope> reply = pending.remove(id);
            if (reply != null) {
                reply.completeExceptionally(gone);
            }
        }
    }
}
