package dev.spindle.net;

import dev.spindle.codec.FrameDecoder;
import dev.spindle.codec.Framing;
import dev.spindle.codec.LineFraming;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/** A {@link Connection} over a blocking {@link SocketChannel}, TCP or Unix-domain. */
final class ChannelConnection implements Connection, LiveConnection, InputAccounted, TimeoutWatchdog.Timed {

    private static final byte[] EMPTY = new byte[0];
    private static final int INBOUND_SIZE = 16 * 1024;
    private static final LineFraming DEFAULT_LINES = Framing.lines(64 * 1024);
    private static final long SENDFILE_CHUNK = 8L * 1024 * 1024;

    private final long id;
    /** The socket's bytes, plain or through TLS. */
    private final StreamChannel channel;
    private final ServerCounters counters;
    private final Framing framing;
    private final SocketAddress peer;
    private final SocketAddress local;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final InputBudget.Account account;
    /** Why the input budget refused this connection, if it did; the server counts it even if the handler swallowed it. */
    private volatile InputBudgetExceededException refusal;

    private volatile long readTimeoutNanos;
    private volatile long writeTimeoutNanos;
    /** When the blocking read or write under way began ({@link System#nanoTime()}); 0 when none is. */
    private volatile long readingSince;
    private volatile long writingSince;
    /** When a read or write last moved a byte: progress either way keeps the other side's wait alive. */
    private volatile long lastProgress;
    private volatile long handshakeDeadline;
    private volatile CloseReason closeReason = CloseReason.NONE;
    private boolean failureSeen;

    /** Unread bytes between position and limit; allocated on the first buffered read. */
    private ByteBuffer inbound;
    private FrameDecoder<ByteBuffer> frameDecoder;
    private FrameDecoder<ByteBuffer> lineDecoder;
    private InputStream inputStream;
    private OutputStream outputStream;

    /**
     * @param counters the server's counters, or {@code null} for a client's connection
     * @param budget   the server's input budget, or {@link InputBudget#NONE} for a client's connection
     */
    ChannelConnection(long id, StreamChannel channel, ConnectionSettings settings, ServerCounters counters,
                      InputBudget budget) throws IOException {
        this.id = id;
        this.channel = channel;
        SocketChannel socket = channel.socket();
        this.counters = counters;
        this.framing = settings.framing;
        this.peer = socket.getRemoteAddress();
        this.local = socket.getLocalAddress();
        this.account = budget.open(id, peer);
        settings.applyOptions(socket);
        readTimeout(settings.readTimeout);
        writeTimeout(settings.writeTimeout);
    }

    @Override
    public long id() {
        return id;
    }

    // ---- reads ----

    @Override
    public byte[] recv(int maxBytes) throws IOException {
        requirePositive(maxBytes, "maxBytes");
        if (inbound != null && inbound.hasRemaining()) {
            byte[] out = new byte[Math.min(maxBytes, inbound.remaining())];
            inbound.get(out);
            return out;
        }
        byte[] out = new byte[maxBytes];
        int n = channelRead(ByteBuffer.wrap(out));
        if (n < 0) {
            return EMPTY;
        }
        return n == maxBytes ? out : Arrays.copyOf(out, n);
    }

    @Override
    public int recvInto(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (inbound != null && inbound.hasRemaining()) {
            return transfer(inbound, dst);
        }
        return channelRead(dst);
    }

    @Override
    public byte[] recvExactly(int n) throws IOException {
        if (n < 0) {
            throw new IllegalArgumentException("n must be zero or positive, got " + n);
        }
        byte[] out = new byte[n];
        ByteBuffer dst = ByteBuffer.wrap(out);
        while (dst.hasRemaining()) {
            if (recvInto(dst) < 0) {
                throw new EOFException("connection closed by the peer after " + dst.position() + " of " + n
                        + " expected bytes");
            }
        }
        return out;
    }

    @Override
    public String readLine() throws IOException {
        if (lineDecoder == null) {
            lineDecoder = framing instanceof LineFraming ? frameDecoder() : DEFAULT_LINES.newDecoder();
        }
        ByteBuffer line = read(lineDecoder);
        return line == null ? null : StandardCharsets.UTF_8.decode(line).toString();
    }

    @Override
    public byte[] readFrame() throws IOException {
        ByteBuffer frame = read(frameDecoder());
        if (frame == null) {
            return null;
        }
        byte[] out = new byte[frame.remaining()];
        frame.get(out);
        return out;
    }

    private FrameDecoder<ByteBuffer> frameDecoder() {
        if (frameDecoder == null) {
            frameDecoder = framing.newDecoder();
        }
        return frameDecoder;
    }

    @Override
    public <T> T read(FrameDecoder<T> decoder) throws IOException {
        Objects.requireNonNull(decoder, "decoder");
        try {
            while (true) {
                if (inbound != null && inbound.hasRemaining()) {
                    T frame = account.decode(decoder, inbound);
                    if (frame != null) {
                        return frame;
                    }
                }
                if (fillInbound() < 0) {
                    return account.endOfInput(decoder);
                }
            }
        } catch (InputBudgetExceededException e) {
            refusal = e;
            close();
            throw e;
        }
    }

    @Override
    public InputBudget.Account inputAccount() {
        return account;
    }

    /** The input budget's refusal of this connection, or {@code null}. */
    InputBudgetExceededException refusal() {
        return refusal;
    }

    /** Refills the (drained) inbound buffer with one read; returns what the read returned. */
    private int fillInbound() throws IOException {
        if (inbound == null) {
            inbound = ByteBuffer.allocate(INBOUND_SIZE);
        }
        inbound.clear();
        int n;
        try {
            n = channelRead(inbound);
        } finally {
            inbound.flip();
        }
        return n;
    }

    private int channelRead(ByteBuffer dst) throws IOException {
        if (readTimeoutNanos > 0) {
            readingSince = stamp();
        }
        int n;
        try {
            n = channel.read(dst);
        } catch (ClosedChannelException e) {
            throw translate(e, "read", readTimeoutNanos);
        } finally {
            readingSince = 0;
        }
        if (n > 0) {
            progressed();
            if (counters != null) {
                counters.bytesIn.add(n);
            }
        }
        return n;
    }

    // ---- writes ----

    @Override
    public int send(ByteBuffer src) throws IOException {
        return (int) channelWrite(src);
    }

    @Override
    public void sendAll(byte[] data) throws IOException {
        sendAll(ByteBuffer.wrap(data));
    }

    @Override
    public void sendAll(ByteBuffer... buffers) throws IOException {
        int first = 0;
        while (first < buffers.length) {
            if (!buffers[first].hasRemaining()) {
                first++;
                continue;
            }
            if (first == buffers.length - 1) {
                channelWrite(buffers[first]);
            } else {
                channelWrite(buffers, first);
            }
        }
    }

    @Override
    public void sendFrame(byte[] payload) throws IOException {
        sendAll(framing.encode(ByteBuffer.wrap(payload)));
    }

    @Override
    public long sendFile(Path file) throws IOException {
        try (FileChannel source = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = source.size();
            long position = 0;
            while (position < size) {
                long from = position;
                long count = Math.min(SENDFILE_CHUNK, size - position);
                long n = timedWrite(() -> channel.sendFile(source, from, count));
                if (n <= 0) {
                    break; // the file shrank while we sent it
                }
                position += n;
            }
            return position;
        }
    }

    private long channelWrite(ByteBuffer src) throws IOException {
        return timedWrite(() -> channel.write(src));
    }

    private long channelWrite(ByteBuffer[] srcs, int offset) throws IOException {
        return timedWrite(() -> channel.write(srcs, offset, srcs.length - offset));
    }

    interface Write {
        long run() throws IOException;
    }

    /** Runs one write call under the write timeout and counts what it wrote. */
    private long timedWrite(Write write) throws IOException {
        if (writeTimeoutNanos > 0) {
            writingSince = stamp();
        }
        long n;
        try {
            n = write.run();
        } catch (ClosedChannelException e) {
            throw translate(e, "write", writeTimeoutNanos);
        } finally {
            writingSince = 0;
        }
        if (n > 0) {
            progressed();
            if (counters != null) {
                counters.bytesOut.add(n);
            }
        }
        return n;
    }

    private void progressed() {
        if (readTimeoutNanos > 0 || writeTimeoutNanos > 0) {
            lastProgress = System.nanoTime();
        }
    }

    private IOException translate(ClosedChannelException e, String op, long timeoutNanos) {
        if (closeReason == CloseReason.TIMEOUT) {
            SocketTimeoutException timeout = new SocketTimeoutException(op + " timed out after "
                    + Duration.ofNanos(timeoutNanos).toMillis() + " ms with no progress; connection #" + id
                    + " to " + peer + " was closed");
            timeout.initCause(e);
            return timeout;
        }
        if (e instanceof AsynchronousCloseException && closeReason == CloseReason.SHUTDOWN) {
            AsynchronousCloseException shut = new AsynchronousCloseException();
            shut.initCause(new IOException("connection #" + id + " closed by server shutdown"));
            return shut;
        }
        return e;
    }

    private static long deadline(long timeoutNanos) {
        long d = System.nanoTime() + timeoutNanos;
        return d == 0 ? 1 : d; // 0 means "no deadline"
    }

    /** Now, as a start time: never 0, which means "not waiting". */
    private static long stamp() {
        long now = System.nanoTime();
        return now == 0 ? 1 : now;
    }

    // ---- timeouts and the watchdog ----

    @Override
    public Connection readTimeout(Duration timeout) {
        readTimeoutNanos = ConnectionSettings.checkTimeout(timeout, "read timeout").toNanos();
        watchIfTimed();
        return this;
    }

    @Override
    public Duration readTimeout() {
        return Duration.ofNanos(readTimeoutNanos);
    }

    @Override
    public Connection writeTimeout(Duration timeout) {
        writeTimeoutNanos = ConnectionSettings.checkTimeout(timeout, "write timeout").toNanos();
        watchIfTimed();
        return this;
    }

    @Override
    public Duration writeTimeout() {
        return Duration.ofNanos(writeTimeoutNanos);
    }

    private void watchIfTimed() {
        long shortest = shortestTimeoutNanos();
        if (shortest != Long.MAX_VALUE && !closed.get()) {
            TimeoutWatchdog.INSTANCE.watch(this, shortest);
        }
    }

    @Override
    public long shortestTimeoutNanos() {
        long r = readTimeoutNanos > 0 ? readTimeoutNanos : Long.MAX_VALUE;
        long w = writeTimeoutNanos > 0 ? writeTimeoutNanos : Long.MAX_VALUE;
        return Math.min(r, w);
    }

    /**
     * Called by the watchdog: closes the connection if its current read or write has waited its
     * timeout with no byte moving either way (the idle timeout's one meaning under every model: a
     * read waiting while the other direction is busy is not idle), or its handshake is overdue.
     */
    @Override
    public void expireIfDue(long now) {
        long h = handshakeDeadline;
        if (overdue(readingSince, readTimeoutNanos, now) || overdue(writingSince, writeTimeoutNanos, now)
                || (h != 0 && now - h >= 0)) {
            closeFor(CloseReason.TIMEOUT);
        }
    }

    private boolean overdue(long since, long timeoutNanos, long now) {
        if (since == 0 || timeoutNanos <= 0) {
            return false;
        }
        long progress = lastProgress;
        long quietSince = progress - since > 0 ? progress : since;
        return now - quietSince >= timeoutNanos;
    }

    /** Closes from outside the handler, remembering why so the blocked call can say so. */
    @Override
    public void closeFor(CloseReason reason) {
        if (closeReason == CloseReason.NONE) {
            closeReason = reason;
        }
        close();
    }

    CloseReason closeReason() {
        return closeReason;
    }

    /** Whether this is the connection's first failure; only its serving thread calls it. */
    boolean markFailed() {
        if (failureSeen) {
            return false;
        }
        failureSeen = true;
        return true;
    }

    // ---- options, addresses, streams ----

    @Override
    public Framing framing() {
        return framing;
    }

    @Override
    public <T> Connection option(SocketOption<T> name, T value) throws IOException {
        channel.socket().setOption(name, value);
        return this;
    }

    @Override
    public <T> T option(SocketOption<T> name) throws IOException {
        return channel.socket().getOption(name);
    }

    @Override
    public SocketAddress peerAddress() {
        return peer;
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public InputStream inputStream() {
        if (inputStream == null) {
            inputStream = new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    Objects.checkFromIndexSize(off, len, b.length);
                    return len == 0 ? 0 : recvInto(ByteBuffer.wrap(b, off, len));
                }

                @Override
                public int available() {
                    return inbound == null ? 0 : inbound.remaining();
                }

                @Override
                public void close() {
                    ChannelConnection.this.close();
                }
            };
        }
        return inputStream;
    }

    @Override
    public OutputStream outputStream() {
        if (outputStream == null) {
            outputStream = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    sendAll(new byte[] {(byte) b});
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    Objects.checkFromIndexSize(off, len, b.length);
                    sendAll(ByteBuffer.wrap(b, off, len));
                }

                @Override
                public void close() {
                    ChannelConnection.this.close();
                }
            };
        }
        return outputStream;
    }

    /**
     * TLS's close_notify, under the write timeout: best effort, as a peer that reads nothing
     * more cannot take it, and a close is not the place to fail.
     */
    private void sayGoodbye() {
        try {
            timedWrite(() -> {
                channel.closeOutbound();
                return 0;
            });
        } catch (IOException ignored) {
            // the peer is gone or not reading: it ends without the goodbye
        }
    }

    /**
     * Runs the TLS handshake, if the connection has one, within {@code timeout}: past it the
     * connection is closed and this throws {@link SocketTimeoutException}, counted as timed out.
     * Nothing on a plain connection.
     */
    void handshake(Duration timeout) throws IOException {
        long nanos = timeout.toNanos();
        if (nanos <= 0) {
            return;
        }
        TimeoutWatchdog.INSTANCE.watch(this, nanos);
        handshakeDeadline = deadline(nanos);
        try {
            channel.handshake();
        } catch (ClosedChannelException e) {
            throw translate(e, "TLS handshake", nanos);
        } finally {
            handshakeDeadline = 0;
            if (shortestTimeoutNanos() == Long.MAX_VALUE) {
                TimeoutWatchdog.INSTANCE.unwatch(this);
            }
        }
    }

    @Override
    public javax.net.ssl.SSLSession tlsSession() {
        return channel.tlsSession();
    }

    @Override
    public String applicationProtocol() {
        return channel.applicationProtocol();
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (closeReason == CloseReason.NONE) {
                sayGoodbye();
            }
            TimeoutWatchdog.INSTANCE.unwatch(this);
            account.close();
            try {
                channel.close();
            } catch (IOException ignored) {
                // Closing a socket can only fail on a lost connection, which is what we want anyway.
            }
        }
    }

    @Override
    public String toString() {
        return "connection #" + id + " " + local + " <- " + peer;
    }

    private static int transfer(ByteBuffer from, ByteBuffer to) {
        int n = Math.min(from.remaining(), to.remaining());
        to.put(to.position(), from, from.position(), n);
        to.position(to.position() + n);
        from.position(from.position() + n);
        return n;
    }

    private static void requirePositive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
