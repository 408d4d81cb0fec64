package dev.spindle.process;

import dev.spindle.process.wire.Run;
import dev.spindle.process.wire.Hub;
import dev.spindle.internal.Deadline;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.InvalidObjectException;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.lang.ref.Cleaner;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * One end of a {@link Pipe}: Python's {@code multiprocessing.connection.Connection}.
 *
 * <p>Objects go through the pipe's {@link Serializer} ({@link #send} / {@link #recv}); byte arrays
 * bypass it ({@link #sendBytes} / {@link #recvBytes} / {@link #recvBytesInto}). Each is one
 * message, and either kind of receive takes the next message whole. Once every process that used
 * the other end has closed it or ended, a receive that finds no more messages throws
 * {@link EOFException}, and a send fails with an {@link IOException}.
 *
 * <h2>Timeouts</h2>
 * Every send and receive has a form with a timeout. Zero or negative means do not wait (as
 * {@link java.util.concurrent.Semaphore#tryAcquire(long, java.util.concurrent.TimeUnit)
 * Semaphore.tryAcquire}), never wait forever. When the timeout runs out a receive or send throws
 * {@link SocketTimeoutException} (and {@link #poll(Duration)} returns false), having taken or sent
 * nothing, and the end stays usable. The time spent waiting for another thread's receive (or send)
 * on this end counts. The forms without a timeout wait as long as it takes, as Python's do.
 *
 * <p>A receive waits for a message; with a timeout of zero or less it takes one only if it is
 * already there. A send returns once its message is safe (see {@link Pipe}), and waits only while
 * the pipe is full: the process that opened it holds at most 4 MiB of messages waiting at each end
 * (one longer message still goes in alone), and a sender in another process meets that limit as a
 * full link to that process. A send's timeout bounds the wait for room to <em>begin</em> its
 * message. A message once begun is finished whole, however long that takes, since half a message
 * would corrupt the pipe: from another process, a message longer than the room left in its link may
 * wait past its timeout for the receiver to make room for the rest.
 *
 * <p>An interrupt ends a call waiting on an end in the process that opened the pipe with
 * {@link InterruptedIOException}, and a receive anywhere. A send from another process is not
 * ended by an interrupt once it waits for room in its link: it goes on until it is sent or timed
 * out, and the interrupt stays set. In a process other than the one that opened the pipe, an end's first use
 * connects to that process first, which takes at most 30 seconds whatever the timeout.
 *
 * <h2>Threads</h2>
 * Thread-safe: sends are serialized among themselves and receives among themselves, so one
 * thread may send while another receives. {@link #close} may be called from any thread and wakes
 * a waiting call, which then throws.
 *
 * <p>Serializable, so a task can capture it: the child gets an end of its own, which reaches the
 * pipe through the process that opened it. Any number of processes may use the same end, as with
 * Python's.
 */
public final class PipeConnection implements Closeable, Serializable {
    @Serial
    private static final long serialVersionUID = 2L;
    private static final Cleaner CLEANER = Cleaner.create(Thread.ofPlatform().daemon().name("spindle-pipe-cleaner")
            .factory());

    private final PipeId pipe;
    private final int side;
    private final boolean readable;
    private final boolean writable;
    private final Serializer serializer;
    /** The reservation this copy was handed with, released when it closes; 0 for none. */
    private final long reservation;
    private final transient AtomicBoolean closed = new AtomicBoolean();
    private final transient PipeEnd end;
    private final transient ReentrantLock sendLock = new ReentrantLock();
    private final transient ReentrantLock receiveLock = new ReentrantLock();
    /** Lets go of the end when this object is closed, or collected unclosed, whichever comes first. */
    private transient Cleaner.Cleanable release;

    private PipeConnection(PipeId pipe, int side, boolean readable, boolean writable, Serializer serializer,
            long reservation, Function<BooleanSupplier, PipeEnd> end) {
        this.pipe = pipe;
        this.reservation = reservation;
        this.side = side;
        this.readable = readable;
        this.writable = writable;
        this.serializer = serializer;
        this.end = end.apply(closed::get);
    }

    /** An end in the process that holds {@code relay}. */
    static PipeConnection local(PipeRelay relay, int side, boolean readable, boolean writable, Serializer serializer) {
        return released(new PipeConnection(new PipeId(relay.id(), Run.current().identity().pid()), side, readable,
                writable, serializer, 0, isClosed -> new LocalPipeEnd(relay, side, isClosed)));
    }

    /**
     * Arranges for the end to be let go when {@code connection} is closed or collected, as a Python
     * connection closes its descriptor in its finalizer: an end dropped unclosed does not hold its
     * pipe open for ever.
     */
    private static PipeConnection released(PipeConnection connection) {
        PipeEnd end = connection.end;
        long reservation = connection.reservation;
        connection.release = CLEANER.register(connection, () -> end.close(reservation));
        return connection;
    }

    /** Sends {@code value}, encoded by the pipe's serializer, as one message. */
    public void send(Object value) throws IOException {
        byte[] bytes = serializer.encode(value);
        send(bytes, 0, bytes.length, Deadline.NONE);
    }

    /**
     * {@link #send(Object)}, waiting at most {@code timeout} for room to begin the message. Zero or
     * negative means do not wait (as {@link java.util.concurrent.Semaphore#tryAcquire(long,
     * java.util.concurrent.TimeUnit) Semaphore.tryAcquire}), never wait forever: the message goes
     * only if the pipe has room to begin it now. The value is encoded before any wait.
     *
     * @throws SocketTimeoutException when the pipe stays full until the timeout; nothing was sent
     *         and the end stays usable
     */
    public void send(Object value, Duration timeout) throws IOException {
        Deadline deadline = Deadline.after(timeout);
        byte[] bytes = serializer.encode(value);
        send(bytes, 0, bytes.length, deadline);
    }

    /** Sends all of {@code bytes} as one message, bypassing the serializer. */
    public void sendBytes(byte[] bytes) throws IOException {
        send(bytes, 0, bytes.length, Deadline.NONE);
    }

    /**
     * {@link #sendBytes(byte[])}, waiting at most {@code timeout} for room to begin the message, as
     * {@link #sendBytes(byte[], int, int, Duration)} does.
     */
    public void sendBytes(byte[] bytes, Duration timeout) throws IOException {
        send(bytes, 0, bytes.length, Deadline.after(timeout));
    }

    /**
     * Sends {@code length} bytes of {@code bytes} from {@code offset} as one message, bypassing the
     * serializer. Returns once the message is safe: queued in the process that opened the pipe, or in
     * the kernel's socket buffer on its way there. Waits while the pipe is full, as Python's does.
     *
     * @throws IOException when every user of the other end has closed it (Python's
     *         {@code BrokenPipeError}), or this end is closed
     */
    public void sendBytes(byte[] bytes, int offset, int length) throws IOException {
        send(bytes, offset, length, Deadline.NONE);
    }

    /**
     * {@link #sendBytes(byte[], int, int)}, waiting at most {@code timeout} for room to begin the
     * message. Zero or negative means do not wait (as
     * {@link java.util.concurrent.Semaphore#tryAcquire(long, java.util.concurrent.TimeUnit)
     * Semaphore.tryAcquire}), never wait forever: the message goes only if the pipe has room to
     * begin it now. A message once begun is finished whole: from another process, one longer than
     * the room left in its link may take longer than {@code timeout} (see the class description).
     *
     * @throws SocketTimeoutException when the pipe stays full until the timeout; nothing was sent
     *         and the end stays usable
     * @throws IOException as {@link #sendBytes(byte[], int, int)}
     */
    public void sendBytes(byte[] bytes, int offset, int length, Duration timeout) throws IOException {
        send(bytes, offset, length, Deadline.after(timeout));
    }

    /**
     * Receives the next message and decodes it with the pipe's serializer.
     *
     * @throws EOFException when the other end has closed and every message has been received
     * @throws ClassNotAllowedException when the message holds a class the serializer refuses
     */
    public Object recv() throws IOException {
        return serializer.decode(receive(Integer.MAX_VALUE, Deadline.NONE));
    }

    /**
     * {@link #recv()}, waiting at most {@code timeout}. Zero or negative means do not wait (as
     * {@link java.util.concurrent.Semaphore#tryAcquire(long, java.util.concurrent.TimeUnit)
     * Semaphore.tryAcquire}), never wait forever: it takes only a message already here.
     *
     * @throws SocketTimeoutException when no message arrives in time; nothing was taken
     */
    public Object recv(Duration timeout) throws IOException {
        return serializer.decode(receive(Integer.MAX_VALUE, Deadline.after(timeout)));
    }

    /** Receives the next message's bytes. */
    public byte[] recvBytes() throws IOException {
        return receive(Integer.MAX_VALUE, Deadline.NONE);
    }

    /**
     * {@link #recvBytes()}, waiting at most {@code timeout}. Zero or negative means do not wait (as
     * {@link java.util.concurrent.Semaphore#tryAcquire(long, java.util.concurrent.TimeUnit)
     * Semaphore.tryAcquire}), never wait forever: it takes only a message already here.
     *
     * @throws SocketTimeoutException when no message arrives in time; nothing was taken
     */
    public byte[] recvBytes(Duration timeout) throws IOException {
        return receive(Integer.MAX_VALUE, Deadline.after(timeout));
    }

    /**
     * Receives the next message's bytes if it has at most {@code maxLength}.
     *
     * @throws MessageTooLongException if it is longer; it stays unread
     */
    public byte[] recvBytes(int maxLength) throws IOException {
        return receive(maxLength, Deadline.NONE);
    }

    /**
     * {@link #recvBytes(int)}, waiting at most {@code timeout}. Zero or negative means do not wait
     * (as {@link java.util.concurrent.Semaphore#tryAcquire(long, java.util.concurrent.TimeUnit)
     * Semaphore.tryAcquire}), never wait forever: it takes only a message already here.
     *
     * @throws SocketTimeoutException when no message arrives in time; nothing was taken
     */
    public byte[] recvBytes(int maxLength, Duration timeout) throws IOException {
        return receive(maxLength, Deadline.after(timeout));
    }

    /** Receives the next message into {@code buffer} from its start; returns its length. */
    public int recvBytesInto(byte[] buffer) throws IOException {
        return recvBytesInto(buffer, 0);
    }

    /**
     * Receives the next message into {@code buffer} at {@code offset}; returns its length.
     *
     * @throws MessageTooLongException if it does not fit; it stays unread
     */
    public int recvBytesInto(byte[] buffer, int offset) throws IOException {
        return recvBytesInto(buffer, offset, Deadline.NONE);
    }

    /**
     * {@link #recvBytesInto(byte[], int)}, waiting at most {@code timeout}. Zero or negative means
     * do not wait (as {@link java.util.concurrent.Semaphore#tryAcquire(long,
     * java.util.concurrent.TimeUnit) Semaphore.tryAcquire}), never wait forever: it takes only a
     * message already here.
     *
     * @throws SocketTimeoutException when no message arrives in time; nothing was taken
     */
    public int recvBytesInto(byte[] buffer, int offset, Duration timeout) throws IOException {
        return recvBytesInto(buffer, offset, Deadline.after(timeout));
    }

    /** Whether a message, or end-of-file, is waiting now. */
    public boolean poll() throws IOException {
        return poll(Duration.ZERO);
    }

    /**
     * Whether a message, or end-of-file, arrives within {@code timeout}. Consumes nothing. Zero or
     * negative means do not wait (as {@link java.util.concurrent.Semaphore#tryAcquire(long,
     * java.util.concurrent.TimeUnit) Semaphore.tryAcquire}), never wait forever: it only looks.
     */
    public boolean poll(Duration timeout) throws IOException {
        require(readable, "poll", "send-only");
        Deadline deadline = Deadline.after(timeout);
        if (!lockForReceive(deadline)) {
            return false;
        }
        try {
            ensureOpen();
            return end.poll(deadline);
        } catch (SocketTimeoutException e) {
            return false;
        } finally {
            receiveLock.unlock();
        }
    }

    /** Whether this end can receive. */
    public boolean readable() {
        return readable;
    }

    /** Whether this end can send. */
    public boolean writable() {
        return writable;
    }

    /** Whether {@link #close} was called on this end. */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Closes this end in this process. Once every process that used this end, or was started with
     * it, has closed it or ended, the other end reads end-of-file after the messages already sent.
     * Closing an end that this process never used and was not started with does nothing to the
     * other end. Idempotent.
     */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        release.clean();
    }

    /** The pipe's number in the process that holds it. */
    long pipeId() {
        return pipe.id();
    }

    @Override
    public String toString() {
        return "PipeConnection[pipe " + pipe.id() + " of process " + pipe.holderPid()
                + (side == PipeRelay.LEFT ? ", left" : ", right") + (readable ? ", readable" : "")
                + (writable ? ", writable" : "") + (closed.get() ? ", closed" : "") + "]";
    }

    private void send(byte[] bytes, int offset, int length, Deadline deadline) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        require(writable, "send on", "receive-only");
        boolean locked;
        try {
            locked = deadline.lock(sendLock);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for another thread's send on this pipe end");
        }
        if (!locked) {
            throw new SocketTimeoutException("another thread was sending on this pipe end until the timeout; "
                    + "the message was not sent");
        }
        try {
            ensureOpen();
            end.send(bytes, offset, length, deadline);
        } finally {
            sendLock.unlock();
        }
    }

    private int recvBytesInto(byte[] buffer, int offset, Deadline deadline) throws IOException {
        Objects.checkIndex(offset, buffer.length + 1);
        byte[] message = receive(buffer.length - offset, deadline);
        System.arraycopy(message, 0, buffer, offset, message.length);
        return message.length;
    }

    private byte[] receive(int maxLength, Deadline deadline) throws IOException {
        require(readable, "receive on", "send-only");
        if (!lockForReceive(deadline)) {
            throw new SocketTimeoutException("another thread was receiving on this pipe end until the timeout");
        }
        try {
            ensureOpen();
            return end.receive(maxLength, deadline);
        } finally {
            receiveLock.unlock();
        }
    }

    private boolean lockForReceive(Deadline deadline) throws IOException {
        try {
            return deadline.lock(receiveLock);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for another thread's receive on this pipe end");
        }
    }

    private void ensureOpen() throws IOException {
        if (closed.get()) {
            throw new IOException("this pipe end is closed");
        }
    }

    private void require(boolean allowed, String what, String kind) throws IOException {
        if (!allowed) {
            throw new IOException("cannot " + what + " a " + kind + " pipe end");
        }
        ensureOpen();
    }

    @Serial
    private Object writeReplace() throws ObjectStreamException {
        if (closed.get()) {
            throw new InvalidObjectException("a closed pipe end cannot be passed to another process");
        }
        String hub;
        try {
            hub = pipe.holderPid() == Run.current().identity().pid() ? Hub.get().address().toString()
                    : ((RemotePipeEnd) end).hub().toString();
        } catch (IOException e) {
            InvalidObjectException failed = new InvalidObjectException("cannot pass a pipe end on: this process "
                    + "could not start listening for other processes' use of its pipes: " + e.getMessage());
            failed.initCause(e);
            throw failed;
        }
        long reserved;
        try {
            reserved = PassedEnds.reserveIfPassing(end);
        } catch (IOException e) {
            InvalidObjectException failed = new InvalidObjectException("cannot pass a pipe end to a child: the "
                    + "process holding the pipe did not answer: " + e.getMessage());
            failed.initCause(e);
            throw failed;
        }
        return new Ref(hub, pipe.id(), pipe.holderPid(), side, readable, writable, serializer, reserved);
    }

    /** Which pipe: its number in the process that holds it. */
    private record PipeId(long id, long holderPid) implements Serializable {
    }

    /** What crosses when an end is passed on: where its pipe is held, not a socket. */
    private record Ref(String hub, long pipe, long holderPid, int side, boolean readable, boolean writable,
            Serializer serializer, long reservation) implements Serializable {
        @Serial
        private Object readResolve() {
            PipeId id = new PipeId(pipe, holderPid);
            if (holderPid == Run.current().identity().pid()) {
                PipeRelay relay = PipeRelay.find(pipe);
                return released(new PipeConnection(id, side, readable, writable, serializer, reservation,
                        isClosed -> relay != null ? new LocalPipeEnd(relay, side, isClosed)
                                : new EndedPipeEnd("every process that used the pipe has closed it")));
            }
            return released(new PipeConnection(id, side, readable, writable, serializer, reservation,
                    isClosed -> new RemotePipeEnd(Path.of(hub), pipe, side, holderPid, isClosed)));
        }
    }
}
