package dev.spindle.net;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A non-blocking transport's write buffer: the bytes the socket has not taken yet, in order, with
 * the water marks that turn writability off and on, and what to do once it has drained (close, or
 * send end-of-stream). One class for {@link NioTransport} and {@link AsyncTransport}, as Netty's
 * {@code ChannelOutboundBuffer} serves every channel.
 *
 * <p>Not thread-safe: its transport guards it (on its loop's thread, or under its lock).
 *
 * <h2>Pitfalls</h2>
 * {@link #add(ByteBuffer)} copies: a caller may reuse its buffer as soon as a write returns, but
 * the bytes are kept until the socket takes them. Most connections never fill the socket, so the
 * queue starts small.
 */
final class OutboundBuffer {

    /** What a transport does once the buffer has drained. */
    enum AfterFlush {
        /** Keep the connection open. */
        NOTHING,
        /** Send end-of-stream, keep reading ({@link Transport#shutdownOutput()}). */
        SHUTDOWN_OUTPUT,
        /** Close ({@link Transport#close()}). */
        CLOSE
    }

    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>(2);
    private final WaterMarks waterMarks = new WaterMarks();
    private int bytes;
    private AfterFlush afterFlush = AfterFlush.NOTHING;

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** Bytes queued and not yet taken by the socket. */
    int size() {
        return bytes;
    }

    /** Whether writes are still taken: nothing has asked to close or end the output once drained. */
    boolean acceptsWrites() {
        return afterFlush == AfterFlush.NOTHING;
    }

    /**
     * Queues a copy of what remains in {@code data} and consumes it.
     *
     * @return whether the buffer has just passed the high water mark (tell the protocol it is unwritable)
     */
    boolean add(ByteBuffer data) {
        if (!data.hasRemaining()) {
            return false;
        }
        ByteBuffer copy = ByteBuffer.allocate(data.remaining());
        copy.put(data).flip();
        pending.add(copy);
        bytes += copy.remaining();
        return waterMarks.passedHigh(bytes);
    }

    /**
     * Puts the head of the queue into {@code into}, for a gathering write.
     *
     * @return how many buffers were put
     */
    int gather(ByteBuffer[] into) {
        int count = 0;
        for (ByteBuffer b : pending) {
            into[count++] = b;
            if (count == into.length) {
                break;
            }
        }
        return count;
    }

    /**
     * After a gathering write took {@code n} bytes from the head: drops the buffers it finished.
     *
     * @return whether the buffer has just fallen to the low water mark (tell the protocol it is writable)
     */
    boolean written(long n) {
        bytes -= (int) n;
        while (!pending.isEmpty() && !pending.peek().hasRemaining()) {
            pending.poll();
        }
        return waterMarks.fellToLow(bytes);
    }

    /** Asks for {@code action} once drained; a close asked for is never weakened to a shutdown. */
    void whenFlushed(AfterFlush action) {
        if (afterFlush != AfterFlush.CLOSE) {
            afterFlush = action;
        }
    }

    /** What was asked for once drained, forgetting it. */
    AfterFlush takeAfterFlush() {
        AfterFlush action = afterFlush;
        afterFlush = AfterFlush.NOTHING;
        return action;
    }

    boolean writable() {
        return waterMarks.writable();
    }

    void limits(int high, int low) {
        waterMarks.set(high, low);
    }

    /** Drops everything: the connection is gone. */
    void clear() {
        pending.clear();
        bytes = 0;
    }

    /** Consumes buffers that will not be sent, so that callers see them taken, as writes after a close are. */
    static void discard(ByteBuffer... data) {
        for (ByteBuffer b : data) {
            b.position(b.limit());
        }
    }
}
