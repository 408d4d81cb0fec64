package dev.spindle.net;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * A {@link Transport} over a non-blocking channel on an {@link EventLoop}. All state is touched
 * on the loop's thread only; calls from other threads are handed to the loop.
 *
 * <p>On the steady path (the socket takes each write whole) nothing is allocated: data is read
 * into the loop's shared buffer and written straight from it. Only bytes the socket does not take
 * at once are copied, into the write buffer.
 */
final class NioTransport implements Transport, LiveConnection, InputAccounted {

    private final long id;
    private final SocketChannel channel;
    private final EventLoop loop;
    private final Protocol protocol;
    private final TransportOwner owner;
    private final SocketAddress peer;
    private final SocketAddress local;
    private final InputBudget.Account account;
    private final ServerCounters counters;
    private final long idleTimeoutNanos;
    private final OutboundBuffer outbound = new OutboundBuffer();
    /** Writes (and closes) from other threads handed to the loop and not yet run: later ones queue behind them. */
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();

    private SelectionKey key;
    private boolean readPaused;
    private boolean inputEnded;
    private boolean outputShut;
    private boolean closed;
    private long lastActivity;
    private volatile boolean closing;
    private volatile CloseReason closeReason = CloseReason.NONE;

    /**
     * @param counters    where its bytes are counted: its server's or its group's
     * @param idleTimeout closes it when no byte has moved either way for this long; zero: never
     */
    NioTransport(long id, SocketChannel channel, EventLoop loop, Protocol protocol, TransportOwner owner,
                 InputBudget budget, ServerCounters counters, java.time.Duration idleTimeout) throws IOException {
        this.id = id;
        this.counters = counters;
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.channel = channel;
        this.loop = loop;
        this.protocol = protocol;
        this.owner = owner;
        this.peer = channel.getRemoteAddress();
        this.local = channel.getLocalAddress();
        this.account = budget.open(id, peer);
    }

    @Override
    public InputBudget.Account inputAccount() {
        return account;
    }

    /** On the loop: registers for reads and tells the protocol. */
    void start() {
        try {
            lastActivity = loop.now();
            key = channel.register(loop.selector(), SelectionKey.OP_READ, this);
            loop.added(this);
            protocol.connectionMade(this);
        } catch (Throwable t) {
            end(t);
        }
    }

    EventLoop loop() {
        return loop;
    }

    long lastActivity() {
        return lastActivity;
    }

    long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    // ---- events from the loop ----

    void onReadable(ByteBuffer buffer) {
        int n;
        try {
            n = channel.read(buffer.clear());
        } catch (IOException e) {
            end(e);
            return;
        }
        if (n > 0) {
            loop.countIn(counters, n);
            lastActivity = loop.now();
            try {
                protocol.dataReceived(buffer.flip());
            } catch (Throwable t) {
                end(t);
            }
        } else if (n < 0) {
            inputEnded = true;
            interest(SelectionKey.OP_READ, false);
            try {
                if (!protocol.eofReceived()) {
                    close();
                }
            } catch (Throwable t) {
                end(t);
            }
        }
    }

    void onWritable() {
        flush();
    }

    // ---- Transport ----

    @Override
    public void write(ByteBuffer data) {
        if (!inTurn()) {
            ByteBuffer copy = copyOf(data);
            later(() -> write(copy));
            return;
        }
        if (!takesWrites()) {
            OutboundBuffer.discard(data);
            return;
        }
        if (outbound.isEmpty()) {
            try {
                wrote(channel.write(data));
            } catch (IOException e) {
                end(e);
                return;
            }
        }
        enqueue(data);
    }

    @Override
    public void write(ByteBuffer... data) {
        if (!inTurn()) {
            ByteBuffer[] copies = new ByteBuffer[data.length];
            for (int i = 0; i < data.length; i++) {
                copies[i] = copyOf(data[i]);
            }
            later(() -> write(copies));
            return;
        }
        if (!takesWrites()) {
            OutboundBuffer.discard(data);
            return;
        }
        if (outbound.isEmpty()) {
            try {
                wrote(channel.write(data));
            } catch (IOException e) {
                end(e);
                return;
            }
        }
        for (ByteBuffer b : data) {
            enqueue(b);
        }
    }

    /** Whether writes still go out: not closed, and no close or end of output asked for (in order) before this one. */
    private boolean takesWrites() {
        return !closed && !outputShut && outbound.acceptsWrites();
    }

    /**
     * Whether an operation that must keep its order with writes may run now: on the loop, with
     * no write from another thread still waiting its turn there. A write made on the loop while
     * one from another thread waits would otherwise overtake it, and a TLS record out of order
     * breaks the connection.
     */
    private boolean inTurn() {
        return loop.inLoop() && waiting.get() == 0;
    }

    /** Runs {@code action} on the loop after everything already waiting its turn. */
    private void later(Runnable action) {
        waiting.incrementAndGet();
        loop.executeLater(() -> {
            waiting.decrementAndGet();
            action.run();
        });
    }

    /** Runs {@code action} now if it is this operation's turn, else after those waiting. */
    private void inOrder(Runnable action) {
        if (inTurn()) {
            action.run();
        } else {
            later(action);
        }
    }

    /** Keeps what the socket did not take, and waits for it to be writable. */
    private void enqueue(ByteBuffer rest) {
        if (!rest.hasRemaining()) {
            return;
        }
        boolean unwritable = outbound.add(rest);
        interest(SelectionKey.OP_WRITE, true);
        if (unwritable) {
            notifyWritability(false);
        }
    }

    private void flush() {
        boolean nowWritable = false;
        try {
            ByteBuffer[] gather = loop.gatherArray();
            while (!outbound.isEmpty()) {
                int count = outbound.gather(gather);
                long n = channel.write(gather, 0, count);
                java.util.Arrays.fill(gather, 0, count, null);
                wrote(n);
                nowWritable |= outbound.written(n);
                if (n == 0) {
                    break;
                }
            }
        } catch (IOException e) {
            end(e);
            return;
        }
        if (!outbound.isEmpty()) {
            if (nowWritable) {
                notifyWritability(true);
            }
            return;
        }
        interest(SelectionKey.OP_WRITE, false);
        if (nowWritable) {
            notifyWritability(true);
        }
        switch (outbound.takeAfterFlush()) {
            case CLOSE -> end(null);
            case SHUTDOWN_OUTPUT -> shutdownNow();
            case NOTHING -> { }
        }
    }

    private void wrote(long n) {
        if (n > 0) {
            loop.countOut(counters, n);
            lastActivity = loop.now();
        }
    }

    private void notifyWritability(boolean nowWritable) {
        try {
            protocol.writabilityChanged(nowWritable);
        } catch (Throwable t) {
            end(t);
        }
    }

    @Override
    public boolean isWritable() {
        return outbound.writable();
    }

    @Override
    public int writeBufferSize() {
        return outbound.size();
    }

    @Override
    public void writeBufferLimits(int high, int low) {
        WaterMarks.check(high, low);
        onLoop(() -> outbound.limits(high, low));
    }

    @Override
    public void pauseReading() {
        onLoop(() -> {
            readPaused = true;
            interest(SelectionKey.OP_READ, false);
        });
    }

    @Override
    public void resumeReading() {
        onLoop(() -> {
            readPaused = false;
            if (!inputEnded) {
                interest(SelectionKey.OP_READ, true);
            }
        });
    }

    @Override
    public void shutdownOutput() {
        inOrder(() -> {
            if (outbound.isEmpty()) {
                shutdownNow();
            } else {
                outbound.whenFlushed(OutboundBuffer.AfterFlush.SHUTDOWN_OUTPUT);
            }
        });
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
        }
        if (inputEnded) {
            end(null);
        }
    }

    @Override
    public void close() {
        closing = true;
        inOrder(() -> {
            if (outbound.isEmpty()) {
                end(null);
            } else {
                outbound.whenFlushed(OutboundBuffer.AfterFlush.CLOSE);
            }
        });
    }

    @Override
    public void abort() {
        closing = true;
        onLoop(() -> end(null));
    }

    @Override
    public void closeFor(CloseReason reason) {
        if (closeReason == CloseReason.NONE) {
            closeReason = reason;
        }
        closing = true;
        onLoop(() -> end(reason.cause(this)));
    }

    /** Closes for good and tells the protocol and the server; runs once. */
    private void end(Throwable cause) {
        if (closed) {
            return;
        }
        closed = true;
        closing = true;
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // the connection is gone either way
        }
        outbound.clear();
        account.close();
        loop.removed(this);
        loop.flushCounts(); // a test or a report may read the totals as soon as the connection is gone
        owner.end(this, peer, protocol, closeReason, cause);
    }

    private void interest(int op, boolean on) {
        if (key == null || !key.isValid()) {
            return;
        }
        int ops = key.interestOps();
        int wanted = on ? ops | op : ops & ~op;
        if (op == SelectionKey.OP_READ && on && readPaused) {
            wanted = ops;
        }
        if (wanted != ops) {
            key.interestOps(wanted);
        }
    }

    private void onLoop(Runnable action) {
        loop.execute(action);
    }

    private static ByteBuffer copyOf(ByteBuffer data) {
        ByteBuffer copy = ByteBuffer.allocate(data.remaining());
        copy.put(data).flip();
        return copy;
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
