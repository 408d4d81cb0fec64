package dev.spindle.net;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Transport} over an {@link AsynchronousSocketChannel}: every read and write is an
 * operation whose completion handler runs on the channel group's threads, asyncio's proactor.
 *
 * <p>One read and at most one write are in flight at a time. The protocol's calls are made under
 * a per-connection lock, so they never overlap even though completions arrive on any group
 * thread. A write must copy what it is given (the caller reuses its buffer before the operation
 * completes); the copies queue in the write buffer and are written with gathering writes.
 */
final class AsyncTransport implements Transport, LiveConnection, InputAccounted, TimeoutWatchdog.Timed {

    /** A read is always in flight, so each connection holds its buffer; 4 KiB keeps idle ones cheap. */
    private static final int READ_BUFFER_SIZE = 4 * 1024;
    private static final int MAX_GATHER = 64;
    /** {@link #held} when no completed read waits; a read returns -1 at the most. */
    private static final int NOTHING_HELD = Integer.MIN_VALUE;

    private final long id;
    private final AsynchronousSocketChannel channel;
    private final Protocol protocol;
    private final ServerCounters counters;
    private final TransportOwner owner;
    private final long idleTimeoutNanos;
    private final SocketAddress peer;
    private final SocketAddress local;
    private final InputBudget.Account account;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
    /** Guards the protocol's calls and every field below. */
    private final ReentrantLock lock = new ReentrantLock();
    private final OutboundBuffer outbound = new OutboundBuffer();
    /** Scratch for gathering writes; one write is in flight at a time. */
    private final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER];

    /** When a byte last moved either way, for the idle timeout ({@link System#nanoTime()}). */
    private volatile long lastActivity = System.nanoTime();
    private boolean writing;
    private boolean reading;
    /**
     * True while the protocol is inside {@code dataReceived} or {@code eofReceived}: its buffer is
     * {@link #readBuffer}, so no read may start (and reuse it) until the call returns. A write the
     * protocol makes there can complete on this very thread, and its completion may resume reading.
     */
    private boolean delivering;
    private boolean readPaused;
    /** What a completed read returned that the protocol has not been given yet; see {@link #deliverHeld()}. */
    private int held = NOTHING_HELD;
    private boolean inputEnded;
    private boolean outputShut;
    private boolean closed;
    private volatile boolean closing;
    private volatile CloseReason closeReason = CloseReason.NONE;

    private final CompletionHandler<Integer, Void> onRead = new CompletionHandler<>() {
        @Override
        public void completed(Integer n, Void unused) {
            readCompleted(n);
        }

        @Override
        public void failed(Throwable t, Void unused) {
            operationFailed(t);
        }
    };

    private final CompletionHandler<Long, Void> onWrite = new CompletionHandler<>() {
        @Override
        public void completed(Long n, Void unused) {
            writeCompleted(n);
        }

        @Override
        public void failed(Throwable t, Void unused) {
            operationFailed(t);
        }
    };

    AsyncTransport(long id, AsynchronousSocketChannel channel, Protocol protocol, ServerCounters counters,
                   TransportOwner owner, long idleTimeoutNanos, InputBudget budget) throws IOException {
        this.id = id;
        this.channel = channel;
        this.protocol = protocol;
        this.counters = counters;
        this.owner = owner;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.peer = channel.getRemoteAddress();
        this.local = channel.getLocalAddress();
        this.account = budget.open(id, peer);
    }

    @Override
    public InputBudget.Account inputAccount() {
        return account;
    }

    void start() {
        if (idleTimeoutNanos > 0) {
            TimeoutWatchdog.INSTANCE.watch(this, idleTimeoutNanos);
        }
        lock.lock();
        try {
            protocol.connectionMade(this);
            readNext();
        } catch (Throwable t) {
            end(t);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Under the lock: starts the next read unless one is in flight, the protocol is still reading
     * the last one's buffer (the read starts when it returns), reading is paused, or input ended.
     */
    private void readNext() {
        if (reading || delivering || readPaused || inputEnded || closed) {
            return;
        }
        reading = true;
        readBuffer.clear();
        channel.read(readBuffer, null, onRead);
    }

    /**
     * Closes the connection, counted as timed out, when no byte has moved either way for the idle
     * timeout; the {@link TimeoutWatchdog} calls it. Not a timeout on the read itself, which would
     * close a connection that is busy writing to a peer that sends nothing.
     */
    @Override
    public void expireIfDue(long now) {
        if (now - lastActivity > idleTimeoutNanos && !closing) {
            closeFor(CloseReason.TIMEOUT);
        }
    }

    @Override
    public long shortestTimeoutNanos() {
        return idleTimeoutNanos;
    }

    private void readCompleted(int n) {
        lock.lock();
        try {
            reading = false;
            if (closed) {
                return;
            }
            if (n > 0) {
                counters.bytesIn.add(n);
                lastActivity = System.nanoTime();
            }
            held = n;
            if (!readPaused) {
                deliverHeld();
            }
        } catch (Throwable t) {
            end(t);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Under the lock: gives the protocol what the last read returned (bytes, or end of stream),
     * then starts the next read. A read that completes while reading is paused (it was in flight
     * when another thread paused) waits in {@link #readBuffer} for {@link #resumeReading()}.
     */
    private void deliverHeld() throws Exception {
        int n = held;
        if (n == NOTHING_HELD || closed) {
            return;
        }
        held = NOTHING_HELD;
        boolean outer = delivering;
        delivering = true;
        try {
            if (n < 0) {
                inputEnded = true;
                if (!protocol.eofReceived()) {
                    close();
                }
                return;
            }
            protocol.dataReceived(readBuffer.flip());
        } finally {
            delivering = outer;
        }
        readNext();
    }

    private void operationFailed(Throwable t) {
        lock.lock();
        try {
            end(t instanceof AsynchronousCloseException && closed ? null : t);
        } finally {
            lock.unlock();
        }
    }

    // ---- writes ----

    @Override
    public void write(ByteBuffer data) {
        write(new ByteBuffer[] {data});
    }

    @Override
    public void write(ByteBuffer... data) {
        lock.lock();
        try {
            if (closing || outputShut || !outbound.acceptsWrites()) {
                OutboundBuffer.discard(data);
                return;
            }
            boolean unwritable = false;
            for (ByteBuffer b : data) {
                unwritable |= outbound.add(b);
            }
            if (unwritable) {
                protocol.writabilityChanged(false);
            }
            writeNext();
        } catch (Throwable t) {
            end(t);
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: starts a gathering write of the write buffer unless one is in flight. */
    private void writeNext() {
        if (writing || outbound.isEmpty() || closed) {
            return;
        }
        writing = true;
        int count = outbound.gather(gather);
        channel.write(gather, 0, count, 0, TimeUnit.NANOSECONDS, null, onWrite);
    }

    private void writeCompleted(long n) {
        lock.lock();
        try {
            writing = false;
            java.util.Arrays.fill(gather, null);
            if (n > 0) {
                counters.bytesOut.add(n);
                lastActivity = System.nanoTime();
            }
            if (outbound.written(n)) {
                becameWritable();
            }
            if (!outbound.isEmpty()) {
                writeNext();
            } else {
                switch (outbound.takeAfterFlush()) {
                    case CLOSE -> end(null);
                    case SHUTDOWN_OUTPUT -> shutdownNow();
                    case NOTHING -> { }
                }
            }
        } catch (Throwable t) {
            end(t);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Under the lock: tells the protocol it may write again. A protocol that resumes reading there
     * gets the read held for it after this call returns, not inside it, so that its calls never
     * nest; and not at all while this runs inside another of its calls (a write that completed at
     * once, inside {@code dataReceived}), which starts the next read itself when it returns.
     */
    private void becameWritable() throws Exception {
        boolean outer = delivering;
        delivering = true;
        try {
            protocol.writabilityChanged(true);
        } finally {
            delivering = outer;
        }
        if (!outer && !readPaused) {
            deliverHeld();
            readNext();
        }
    }

    @Override
    public boolean isWritable() {
        lock.lock();
        try {
            return outbound.writable();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int writeBufferSize() {
        lock.lock();
        try {
            return outbound.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void writeBufferLimits(int high, int low) {
        lock.lock();
        try {
            outbound.limits(high, low);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void pauseReading() {
        lock.lock();
        try {
            readPaused = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@inheritDoc} A read that completed while paused is delivered now, on the calling thread
     * (under the connection's lock, so never overlapping another call), unless the caller is the
     * protocol inside {@code dataReceived}: then the next read starts when that call returns.
     */
    @Override
    public void resumeReading() {
        lock.lock();
        try {
            readPaused = false;
            if (!delivering) {
                deliverHeld();
                readNext();
            }
        } catch (Throwable t) {
            end(t);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void shutdownOutput() {
        lock.lock();
        try {
            if (outbound.isEmpty() && !writing) {
                shutdownNow();
            } else {
                outbound.whenFlushed(OutboundBuffer.AfterFlush.SHUTDOWN_OUTPUT);
            }
        } finally {
            lock.unlock();
        }
    }

    private void shutdownNow() {
        if (outputShut || closed) {
            return;
        }
        outputShut = true;
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            end(e);
            return;
        }
        if (inputEnded) {
            end(null);
        }
    }

    @Override
    public void close() {
        closing = true;
        lock.lock();
        try {
            if (outbound.isEmpty() && !writing) {
                end(null);
            } else {
                outbound.whenFlushed(OutboundBuffer.AfterFlush.CLOSE);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void abort() {
        closing = true;
        lock.lock();
        try {
            end(null);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void closeFor(CloseReason reason) {
        if (closeReason == CloseReason.NONE) {
            closeReason = reason;
        }
        closing = true;
        lock.lock();
        try {
            end(reason.cause(this));
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: closes for good and tells the protocol and the server; runs once. */
    private void end(Throwable cause) {
        if (closed) {
            return;
        }
        closed = true;
        closing = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // gone either way
        }
        outbound.clear();
        account.close();
        TimeoutWatchdog.INSTANCE.unwatch(this);
        owner.end(this, peer, protocol, closeReason, cause);
    }

    @Override
    public boolean isClosing() {
        return closing;
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
    public long id() {
        return id;
    }

    @Override
    public String toString() {
        return "connection #" + id + " " + local + " <- " + peer;
    }
}
