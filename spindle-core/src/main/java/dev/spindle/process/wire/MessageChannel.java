package dev.spindle.process.wire;

import dev.spindle.internal.Deadline;
import dev.spindle.process.Handshake;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.StreamCorruptedException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * Length-prefixed messages (a 4-byte big-endian length, then the payload, as {@code multiprocessing}'s
 * {@code Connection} frames them) over a connected socket, with a deadline on every wait.
 *
 * <p>The socket is non-blocking; a wait is a {@link Selector} select bounded by the caller's
 * deadline, so every blocking operation can time out and {@link #close} wakes any waiter. Received
 * bytes go through one 64 KiB buffer, so a run of small messages costs one read. A message's
 * length is read before its body, and the message stays unread until a caller takes it, so a
 * receiver with too small a buffer loses nothing.
 *
 * <p>Sends are serialized by a lock of the channel's own, so any thread may send: a sender's
 * bookkeeping after its bytes left overlaps the next sender's, whom the peer's answer may already
 * have set going. Receives are not: one thread at a time receives, and it may receive while
 * another sends.
 */
public final class MessageChannel implements Closeable {

    /** The largest message a channel accepts: Python's own limit for {@code send_bytes}. */
    public static final int MAX_MESSAGE = Integer.MAX_VALUE - 8;

    private static final byte[] NO_HEADER = new byte[0];
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final int SOCKET_BUFFER_BYTES = 1024 * 1024;

    private final SocketChannel channel;
    private final Selector readSelector;
    /** Made on the first write that waits; volatile since a close from another thread wakes it. */
    private volatile Selector writeSelector;
    private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER_BYTES).flip();
    private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private final ByteBuffer[] gather = new ByteBuffer[2];
    private final java.util.concurrent.locks.ReentrantLock sending = new java.util.concurrent.locks.ReentrantLock();
    private boolean eof;

    public MessageChannel(SocketChannel channel) throws IOException {
        this.channel = channel;
        // Room for several large messages in flight, so a sender and receiver wake each other less.
        channel.setOption(java.net.StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
        channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
        channel.configureBlocking(false);
        this.readSelector = Selector.open();
        channel.register(readSelector, SelectionKey.OP_READ);
    }

    /**
     * Connects to the listener at {@code address} (a {@link Hub}) and proves this process
     * holds the run's {@code key}; the listener proves it too, and speaks first.
     *
     * @throws java.net.ConnectException when nothing listens there: the process that did has ended
     */
    static MessageChannel dial(HubAddress address, byte[] key, Deadline deadline) throws IOException {
        MessageChannel made = new MessageChannel(address.connect(deadline));
        try {
            made.authenticate(key, false, deadline);
            return made;
        } catch (IOException | RuntimeException e) {
            made.close();
            throw e;
        }
    }

    /** Runs {@link Handshake} over this channel: nothing else is read before it succeeds. */
    public void authenticate(byte[] key, boolean first, Deadline deadline) throws IOException {
        Handshake.authenticate(rawInput(deadline), rawOutput(deadline), key, first);
    }

    /**
     * Sends one message: the length, then {@code len} bytes of {@code bytes} from {@code off}.
     * Every send on a channel works the same way, as {@link #sendWithHeader} says.
     */
    public void send(byte[] bytes, int off, int len, Deadline start) throws IOException {
        sendWithHeader(NO_HEADER, bytes, off, len, start);
    }

    /**
     * Sends one message that starts with {@code tag}, then {@code len} bytes of {@code bytes}: a
     * kind and its payload, without copying the payload. {@link #receiveTagged} reads it.
     */
    public void sendTagged(byte tag, byte[] bytes, int off, int len, Deadline start) throws IOException {
        sendWithHeader(new byte[] {tag}, bytes, off, len, start);
    }

    /**
     * Sends one message made of {@code header} and then {@code len} bytes of {@code bytes}, without
     * copying the body: an {@link Envelope}'s fixed fields and its payload.
     *
     * <p>The message is sent if it can begin before {@code start}: until then this waits for
     * another thread's send on this channel, if any, and for room in the socket for its first
     * bytes. If none comes in time it sends nothing, so the stream stays whole, and throws
     * {@link SocketTimeoutException}. Once begun, the message is finished whole however long that
     * takes, since half a message would leave the stream unreadable for the peer; only closing the
     * channel stops it. An interrupt stops neither wait (only a wait for another thread's send
     * with a limit, with {@link InterruptedIOException} and nothing sent); it is kept for the caller. An expired
     * {@code start} sends only if the socket has room at once.
     */
    public void sendWithHeader(byte[] header, byte[] bytes, int off, int len, Deadline start) throws IOException {
        // Callers that serialize their sends find the lock free, and an interrupt does not stop them.
        if (!sending.tryLock()) {
            if (start.isNone()) {
                sending.lock(); // no limit: an interrupt stops nothing here either, as for the message itself
            } else {
                try {
                    if (!start.lock(sending)) {
                        throw new SocketTimeoutException("another thread was sending on this channel until the "
                                + "timeout; nothing was sent");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for another sender; nothing was sent");
                }
            }
        }
        boolean interrupted = false;
        try {
            out.clear();
            out.putInt(header.length + len).put(header);
            int copied = len <= out.remaining() ? len : 0; // a long message goes from the caller's array
            out.put(bytes, off, copied).flip();
            gather[0] = out;
            gather[1] = ByteBuffer.wrap(bytes, off + copied, len - copied);
            try {
                while (channel.write(gather) == 0) {
                    interrupted |= awaitWritable(start, true); // nothing written yet: a timeout leaves the stream whole
                }
                while (out.hasRemaining() || gather[1].hasRemaining()) {
                    if (channel.write(gather) == 0) {
                        interrupted |= awaitWritable(Deadline.NONE, true);
                    }
                }
            } finally {
                gather[1] = null;
            }
        } finally {
            sending.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Waits for the next message's length and returns it, leaving the message unread.
     *
     * @throws EOFException when the peer closed at a message boundary
     */
    public int nextLength(Deadline deadline) throws IOException {
        fill(4, deadline, "a message length");
        int length = in.getInt(in.position());
        if (length < 0 || length > MAX_MESSAGE) {
            throw new StreamCorruptedException("the peer sent a message length of " + length
                    + "; the stream is corrupt, so the connection cannot be used any further");
        }
        return length;
    }

    /** Whether the next message is already here in full, so that {@link #receive} would not wait. */
    public boolean hasWholeMessage() {
        if (in.remaining() < 4) {
            return false;
        }
        int length = in.getInt(in.position());
        return length >= 0 && in.remaining() - 4 >= length;
    }

    /** Receives the next message whole. */
    public byte[] receive(Deadline deadline) throws IOException {
        byte[] bytes = new byte[nextLength(deadline)];
        in.position(in.position() + 4);
        readBody(bytes, 0, bytes.length, deadline);
        return bytes;
    }

    /** A message read by {@link #receiveTagged}: its first byte, and the rest. */
    public record Tagged(byte tag, byte[] payload) {
    }

    /** Receives the next message, which must start with a tag byte (see {@link #sendTagged}). */
    public Tagged receiveTagged(Deadline deadline) throws IOException {
        int length = nextLength(deadline);
        if (length < 1) {
            throw new StreamCorruptedException("the peer sent an empty message where a tagged one was due; "
                    + "the stream is corrupt, so the connection cannot be used any further");
        }
        fill(5, deadline, "a message tag");
        in.position(in.position() + 4);
        byte tag = in.get();
        byte[] payload = new byte[length - 1];
        readBody(payload, 0, payload.length, deadline);
        return new Tagged(tag, payload);
    }

    /** Reads {@code length} body bytes: first those already buffered, then straight into {@code buffer}. */
    private void readBody(byte[] buffer, int offset, int length, Deadline deadline) throws IOException {
        int copied = Math.min(length, in.remaining());
        in.get(buffer, offset, copied);
        if (copied < length) {
            ByteBuffer rest = ByteBuffer.wrap(buffer, offset + copied, length - copied);
            while (rest.hasRemaining()) {
                int n = channel.read(rest);
                if (n < 0) {
                    eof = true;
                    throw new EOFException("the peer closed in the middle of a message: got "
                            + (length - rest.remaining()) + " of " + length + " bytes");
                }
                if (n == 0) {
                    awaitReadable(deadline);
                }
            }
        }
    }

    /** Closes the socket and wakes any thread waiting on it. */
    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            readSelector.wakeup();
            readSelector.close();
            if (writeSelector != null) {
                writeSelector.wakeup();
                writeSelector.close();
            }
        }
    }

    /** Makes at least {@code n} bytes available in {@link #in}. */
    private void fill(int n, Deadline deadline, String what) throws IOException {
        while (in.remaining() < n) {
            if (eof) {
                throw in.hasRemaining()
                        ? new EOFException("the peer closed in the middle of " + what)
                        : new EOFException("the peer closed the connection");
            }
            readSome(deadline);
        }
    }

    /** Reads at least one byte into {@link #in}, or notes the end of the stream. */
    private void readSome(Deadline deadline) throws IOException {
        in.compact();
        try {
            while (true) {
                int n = channel.read(in);
                if (n < 0) {
                    eof = true;
                    return;
                }
                if (n > 0) {
                    return;
                }
                long waitStarted = System.nanoTime();
                boolean polled = pollBriefly();
                if (!polled) {
                    awaitReadable(deadline);
                }
                lastWaitNanos = System.nanoTime() - waitStarted;
                if (polled) {
                    return;
                }
            }
        } finally {
            in.flip();
        }
    }

    /**
     * How long a reader tries the socket before it sleeps in its selector, when bytes have been
     * coming quickly: {@code -Dspindle.process.pollMicros} (default 50; 0 turns it off). A wake-up
     * from the selector costs tens of microseconds on a virtual machine whose idle CPUs halt, which
     * is most of a call's round trip; trying for a moment first catches the reply of a peer that is
     * answering now. Bounded, and adaptive: a reader polls only while the last bytes came within
     * {@link #POLL_WORTHWHILE_NANOS}, so a quiet or slow connection costs no CPU.
     */
    static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(Long.getLong("spindle.process.pollMicros", 50));
    /** The longest wait for bytes after which the next wait still polls first: a conversation, not a trickle. */
    private static final long POLL_WORTHWHILE_NANOS = POLL_NANOS * 5;

    /** Whether this channel's reader polls at all; {@link #stopPolling} turns it off for good. */
    private volatile boolean polls = POLL_NANOS > 0;

    /**
     * Stops this channel's reader from polling before it sleeps. For a connection whose reader
     * hands each message to another thread of its process that then needs a CPU (a pool worker's
     * link): polling there takes the core the other thread needs; on two cores it tripled a pool's
     * round trip.
     */
    public void stopPolling() {
        polls = false;
    }

    /** How long the last wait for bytes took; guarded by the reading thread (one at a time). */
    private long lastWaitNanos = Long.MAX_VALUE;

    /** Tries to read for up to {@link #POLL_NANOS} before sleeping in the selector; true if bytes (or the end) came. */
    private boolean pollBriefly() throws IOException {
        if (!polls || lastWaitNanos >= POLL_WORTHWHILE_NANOS) {
            return false;
        }
        long until = System.nanoTime() + POLL_NANOS;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
            int n = channel.read(in);
            if (n != 0) {
                eof = n < 0;
                return true;
            }
        }
        return false;
    }

    /** Writes all of {@code bytes}; returns whether an interrupt was set aside to finish ({@code whole}). */
    private boolean writeFully(ByteBuffer bytes, Deadline deadline, boolean whole) throws IOException {
        boolean interrupted = false;
        while (bytes.hasRemaining()) {
            if (channel.write(bytes) == 0) {
                interrupted |= awaitWritable(deadline, whole);
            }
        }
        return interrupted;
    }

    private void awaitReadable(Deadline deadline) throws IOException {
        await(readSelector, deadline, false);
    }

    private boolean awaitWritable(Deadline deadline, boolean whole) throws IOException {
        Selector selector = writeSelector;
        if (selector == null) {
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_WRITE);
            writeSelector = selector;
        }
        return await(selector, deadline, whole);
    }

    /**
     * Waits until the selector's channel is ready or the deadline passes. An interrupt ends the
     * wait with {@link InterruptedIOException}, unless {@code uninterruptible}: then it is cleared
     * (a selector returns at once for an interrupted thread) and reported by the return value, for
     * the caller to set again once it is done.
     */
    private boolean await(Selector selector, Deadline deadline, boolean uninterruptible) throws IOException {
        boolean setAside = uninterruptible && Thread.interrupted();
        boolean done = false;
        try {
            if (deadline.hasExpired()) {
                throw new SocketTimeoutException("timed out waiting for the peer");
            }
            try {
                selector.select(deadline.selectMillis());
                selector.selectedKeys().clear();
            } catch (ClosedSelectorException e) {
                throw new AsynchronousCloseException();
            }
            if (!channel.isOpen()) {
                throw new AsynchronousCloseException();
            }
            if (Thread.currentThread().isInterrupted()) {
                if (!uninterruptible) {
                    throw new InterruptedIOException("interrupted while waiting for the peer");
                }
                setAside |= Thread.interrupted();
            }
            done = true;
            return setAside;
        } finally {
            if (!done && setAside) {
                Thread.currentThread().interrupt(); // failing anyway: the caller sees the interrupt it made
            }
        }
    }

    /** The raw byte stream, for the handshake only. */
    private InputStream rawInput(Deadline deadline) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (!in.hasRemaining()) {
                    if (eof) {
                        return -1;
                    }
                    readSome(deadline);
                    if (!in.hasRemaining()) {
                        return -1;
                    }
                }
                int n = Math.min(len, in.remaining());
                in.get(b, off, n);
                return n;
            }
        };
    }

    private OutputStream rawOutput(Deadline deadline) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writeFully(ByteBuffer.wrap(b, off, len), deadline, false);
            }
        };
    }
}
