package dev.spindle.process;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.InvalidObjectException;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.net.BindException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One end of a {@link Pipe}: Python's {@code multiprocessing.connection.Connection}.
 *
 * <p>Objects go through the pipe's {@link Codec} ({@link #send} / {@link #recv}); byte arrays
 * bypass it ({@link #sendBytes} / {@link #recvBytes} / {@link #recvBytesInto}). Each is one
 * message, and either kind of receive takes the next message whole. After the other end is
 * closed, or its process dies, a receive that finds no more messages throws
 * {@link EOFException}; a send throws an {@link IOException}.
 *
 * <p>Every blocking call has a form with a timeout, which throws
 * {@link SocketTimeoutException} when it runs out and leaves the end usable. The forms without
 * one wait as long as it takes, as Python's do.
 *
 * <p>Thread-safe: sends are serialized among themselves and receives among themselves, so one
 * thread may send while another receives. {@link #close} may be called from any thread and
 * wakes a waiting call, which then throws.
 *
 * <p>Serializable, so a task can capture it: the child gets an end of its own that connects
 * directly to the other end when first used (see {@link Pipe} for the rules).
 */
public final class PipeConnection implements Closeable, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    private static final long HANDSHAKE_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long MAX_RETRY_MILLIS = 20;
    /** Bytes of messages (with their headers) that may wait for the other end's first use. */
    static final int PENDING_LIMIT = 256 * 1024;
    static final int LINGER_SECONDS = 10;

    private final String address;
    private final boolean listens;
    private final boolean readable;
    private final boolean writable;
    private final Codec codec;
    private final long usedElsewhereBy;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final ReentrantLock receiveLock = new ReentrantLock();
    private final ReentrantLock attachLock = new ReentrantLock();
    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    private volatile long pendingBytes;
    private CompletableFuture<MessageChannel> attachment;
    /** Completes once an attachment has sent the messages that waited for it, or has failed. */
    private final CompletableFuture<Void> delivered = new CompletableFuture<>();
    private volatile MessageChannel channel;
    private volatile ServerSocketChannel listener;
    private volatile Selector acceptSelector;
    private volatile boolean closed;
    private volatile boolean lingering;

    PipeConnection(String address, boolean listens, boolean readable, boolean writable, Codec codec,
            long usedElsewhereBy) {
        this.address = address;
        this.listens = listens;
        this.readable = readable;
        this.writable = writable;
        this.codec = codec;
        this.usedElsewhereBy = usedElsewhereBy;
    }

    /** Sends {@code value}, encoded by the pipe's codec, as one message. */
    public void send(Object value) throws IOException {
        byte[] bytes = codec.encode(value);
        sendBytes(bytes, 0, bytes.length);
    }

    /** Sends all of {@code bytes} as one message, bypassing the codec. */
    public void sendBytes(byte[] bytes) throws IOException {
        sendBytes(bytes, 0, bytes.length);
    }

    /**
     * Sends {@code length} bytes of {@code bytes} from {@code offset} as one message, bypassing the
     * codec. Before the other end is first used, up to {@value #PENDING_LIMIT} bytes of messages
     * wait in this process, as they would in a socket buffer; past that, a send waits for it.
     */
    public void sendBytes(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        require(writable, "send on", "receive-only");
        sendLock.lock();
        try {
            CompletableFuture<MessageChannel> attaching = attachment();
            if (!attaching.isDone() && pendingBytes + 4L + length <= PENDING_LIMIT) {
                pending.addLast(Arrays.copyOfRange(bytes, offset, offset + length));
                pendingBytes += 4L + length;
                return;
            }
            MessageChannel ch = await(attaching, MessageChannel.NO_DEADLINE);
            flushPending(ch);
            ch.send(bytes, offset, length, MessageChannel.NO_DEADLINE);
        } catch (IOException e) {
            throw closedOr(e);
        } finally {
            sendLock.unlock();
        }
    }

    /**
     * Receives the next message and decodes it with the pipe's codec.
     *
     * @throws EOFException when the other end has closed and every message has been received
     * @throws ClassNotAllowedException when the message holds a class the codec refuses
     */
    public Object recv() throws IOException {
        return codec.decode(recvBytes(Integer.MAX_VALUE, MessageChannel.NO_DEADLINE));
    }

    /** {@link #recv()}, waiting at most {@code timeout}. */
    public Object recv(Duration timeout) throws IOException {
        return codec.decode(recvBytes(Integer.MAX_VALUE, MessageChannel.deadline(timeout.toNanos())));
    }

    /** Receives the next message's bytes. */
    public byte[] recvBytes() throws IOException {
        return recvBytes(Integer.MAX_VALUE, MessageChannel.NO_DEADLINE);
    }

    /**
     * Receives the next message's bytes if it has at most {@code maxLength}.
     *
     * @throws MessageTooLongException if it is longer; it stays unread
     */
    public byte[] recvBytes(int maxLength) throws IOException {
        return recvBytes(maxLength, MessageChannel.NO_DEADLINE);
    }

    /** {@link #recvBytes(int)}, waiting at most {@code timeout}. */
    public byte[] recvBytes(int maxLength, Duration timeout) throws IOException {
        return recvBytes(maxLength, MessageChannel.deadline(timeout.toNanos()));
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
        Objects.checkIndex(offset, buffer.length + 1);
        require(readable, "receive on", "send-only");
        receiveLock.lock();
        try {
            MessageChannel ch = await(attachment(), MessageChannel.NO_DEADLINE);
            int length = ch.nextLength(MessageChannel.NO_DEADLINE);
            if (length > buffer.length - offset) {
                throw new MessageTooLongException(length, buffer.length - offset);
            }
            return ch.receiveInto(buffer, offset, MessageChannel.NO_DEADLINE);
        } catch (IOException e) {
            throw closedOr(e);
        } finally {
            receiveLock.unlock();
        }
    }

    /** Whether a message, or end-of-file, is waiting now. */
    public boolean poll() throws IOException {
        return poll(Duration.ZERO);
    }

    /** Whether a message, or end-of-file, arrives within {@code timeout}. Consumes nothing. */
    public boolean poll(Duration timeout) throws IOException {
        require(readable, "poll", "send-only");
        long deadline = MessageChannel.deadline(timeout.toNanos());
        receiveLock.lock();
        try {
            return await(attachment(), deadline).poll(deadline);
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            throw closedOr(e);
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
        return closed;
    }

    /**
     * Closes this end; the other end then reads end-of-file after the messages already sent. An
     * end that was never used closes without effect on the other. Messages still waiting for the
     * other end's first use are delivered first, in the background; at exit, this process waits up
     * to {@value #LINGER_SECONDS} seconds for such deliveries. Idempotent.
     */
    @Override
    public void close() throws IOException {
        CompletableFuture<MessageChannel> attaching;
        boolean linger;
        attachLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            attaching = attachment;
            linger = attaching != null && !delivered.isDone() && pendingBytes > 0;
            lingering = linger;
        } finally {
            attachLock.unlock();
        }
        if (linger) {
            Lingering.add(delivered);
            return;
        }
        IOException failure = null;
        for (Closeable c : new Closeable[] {channel, listener, acceptSelector}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (IOException e) {
                failure = e;
            }
        }
        if (listener != null) {
            Files.deleteIfExists(Path.of(address));
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The socket path where the two ends meet. */
    String address() {
        return address;
    }

    @Override
    public String toString() {
        return "PipeConnection[" + Path.of(address).getFileName() + (listens ? ", left" : ", right")
                + (readable ? ", readable" : "") + (writable ? ", writable" : "")
                + (closed ? ", closed" : channel != null ? ", connected" : "") + "]";
    }

    private byte[] recvBytes(int maxLength, long deadline) throws IOException {
        require(readable, "receive on", "send-only");
        receiveLock.lock();
        try {
            MessageChannel ch = await(attachment(), deadline);
            int length = ch.nextLength(deadline);
            if (length > maxLength) {
                throw new MessageTooLongException(length, maxLength);
            }
            return ch.receive(deadline);
        } catch (IOException e) {
            throw closedOr(e);
        } finally {
            receiveLock.unlock();
        }
    }

    /**
     * This end's connection to the other, made in the background from its first use: the left end
     * accepts, the right connects. A failed attempt is reported once; the next use tries again.
     */
    private CompletableFuture<MessageChannel> attachment() throws IOException {
        if (usedElsewhereBy != 0) {
            throw new IllegalStateException("this copy of a pipe end was passed on after process " + usedElsewhereBy
                    + " had used the end; an end is used by one process only, so this copy can only be closed");
        }
        attachLock.lock();
        try {
            ensureOpen();
            if (attachment == null) {
                CompletableFuture<MessageChannel> attaching = new CompletableFuture<>();
                attachment = attaching;
                Thread.ofVirtual().name("spindle-pipe-attach").start(() -> attach(attaching));
            }
            return attachment;
        } finally {
            attachLock.unlock();
        }
    }

    private void attach(CompletableFuture<MessageChannel> attaching) {
        MessageChannel made = null;
        try {
            made = listens ? accept() : connect();
            ensureAttachable();
            channel = made;
        } catch (IOException | RuntimeException e) {
            closeQuietly(made);
            attaching.completeExceptionally(e);
            if (closed) {
                delivered.complete(null);
            }
            return;
        }
        attaching.complete(made);
        // Messages sent before the other end was used go first, even if this end was closed since.
        sendLock.lock();
        try {
            flushPending(made);
        } catch (IOException e) {
            // The other end is gone; so is the point of these messages.
        } finally {
            sendLock.unlock();
        }
        if (closed) {
            closeQuietly(made);
            closeQuietly(listener);
            closeQuietly(acceptSelector);
        }
        delivered.complete(null);
    }

    /** Sends the messages that waited for the other end. Called with the send lock held. */
    private void flushPending(MessageChannel ch) throws IOException {
        while (!pending.isEmpty()) {
            byte[] message = pending.peekFirst();
            ch.send(message, 0, message.length, MessageChannel.NO_DEADLINE);
            pending.removeFirst();
            pendingBytes -= 4L + message.length;
        }
    }

    private MessageChannel await(CompletableFuture<MessageChannel> attaching, long deadline) throws IOException {
        try {
            if (deadline == MessageChannel.NO_DEADLINE) {
                return attaching.get();
            }
            return attaching.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new SocketTimeoutException("the other end of the pipe has not been used yet");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the other end of the pipe");
        } catch (ExecutionException e) {
            attachLock.lock();
            try {
                if (attachment == attaching) {
                    attachment = null;
                }
            } finally {
                attachLock.unlock();
            }
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw (RuntimeException) e.getCause();
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException e) {
            // Abandoning it; nothing else to do.
        }
    }

    private MessageChannel accept() throws IOException {
        if (listener == null) {
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                server.bind(UnixDomainSocketAddress.of(address), 1);
            } catch (BindException e) {
                server.close();
                throw new IllegalStateException("the left end of this pipe is already in use by another process; "
                        + "an end is used by one process only", e);
            }
            server.configureBlocking(false);
            Selector selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
            listener = server;
            acceptSelector = selector;
        }
        while (true) {
            SocketChannel socket = listener.accept();
            if (socket == null) {
                try {
                    acceptSelector.select();
                    acceptSelector.selectedKeys().clear();
                } catch (ClosedSelectorException e) {
                    throw new IOException("this pipe end is closed");
                }
                ensureAttachable();
                continue;
            }
            MessageChannel made = authenticated(socket, true);
            listener.close();
            acceptSelector.close();
            Files.deleteIfExists(Path.of(address));
            return made;
        }
    }

    private MessageChannel connect() throws IOException {
        long backoff = 1;
        while (true) {
            SocketChannel socket;
            try {
                socket = SocketChannel.open(UnixDomainSocketAddress.of(address));
            } catch (SocketException e) {
                // The left end has not been used yet, so nothing listens: wait for it.
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for the other end of the pipe");
                }
                backoff = Math.min(backoff * 2, MAX_RETRY_MILLIS);
                ensureAttachable();
                continue;
            }
            return authenticated(socket, false);
        }
    }

    /** The socket as a channel once the run's key is proven both ways; closed if it is not. */
    private static MessageChannel authenticated(SocketChannel socket, boolean first) throws IOException {
        MessageChannel made = new MessageChannel(socket);
        try {
            made.authenticate(Run.current().key, first, MessageChannel.deadline(HANDSHAKE_NANOS));
            return made;
        } catch (IOException e) {
            made.close();
            throw e;
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("this pipe end is closed");
        }
    }

    /** Attaching goes on after close only to deliver messages sent before it. */
    private void ensureAttachable() throws IOException {
        if (closed && !lingering) {
            throw new IOException("this pipe end is closed");
        }
    }

    private IOException closedOr(IOException e) {
        if (closed && !(e instanceof EOFException)) {
            return new IOException("this pipe end is closed", e);
        }
        if (e instanceof EOFException eof && "the peer closed the connection".equals(eof.getMessage())) {
            EOFException clear = new EOFException("the other end of the pipe was closed and every message has "
                    + "been received");
            clear.initCause(e);
            return clear;
        }
        return e;
    }

    private void require(boolean allowed, String what, String kind) throws IOException {
        if (!allowed) {
            throw new IOException("cannot " + what + " a " + kind + " pipe end");
        }
        if (closed) {
            throw new IOException("this pipe end is closed");
        }
    }

    @Serial
    private Object writeReplace() throws ObjectStreamException {
        if (closed) {
            throw new InvalidObjectException("a closed pipe end cannot be passed to another process");
        }
        long usedBy = channel != null || listener != null ? Run.current().identity.pid() : usedElsewhereBy;
        return new Ref(address, listens, readable, writable, codec, usedBy);
    }

    /** Closed ends still delivering what was sent before the other end's first use; exit waits for them. */
    private static final class Lingering {
        private static final java.util.Set<CompletableFuture<Void>> DELIVERIES =
                java.util.concurrent.ConcurrentHashMap.newKeySet();

        static {
            Runtime.getRuntime().addShutdownHook(new Thread(Lingering::awaitAll, "spindle-pipe-linger"));
        }

        static void add(CompletableFuture<Void> delivery) {
            DELIVERIES.add(delivery);
            delivery.whenComplete((ch, e) -> DELIVERIES.remove(delivery));
        }

        private static void awaitAll() {
            try {
                CompletableFuture.allOf(DELIVERIES.toArray(CompletableFuture[]::new))
                        .get(LINGER_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // Delivered what could be delivered in time.
            }
        }
    }

    /** What crosses when an end is passed to a child: where to meet the other end, not a socket. */
    private record Ref(String address, boolean listens, boolean readable, boolean writable, Codec codec,
            long usedElsewhereBy) implements Serializable {
        @Serial
        private Object readResolve() {
            return new PipeConnection(address, listens, readable, writable, codec, usedElsewhereBy);
        }
    }
}
