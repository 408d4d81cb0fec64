package dev.spindle.net;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.ReentrantLock;

/**
 * TLS over a blocking socket, for the blocking models: an {@link SSLEngine} driven by blocking
 * reads and writes. One reader and one writer may work at once (the engine wraps and unwraps
 * concurrently); the handshake takes both sides.
 *
 * <p>A peer that closes without TLS's close_notify ends the input as a clean end of stream, as
 * Python's {@code ssl} does by default ({@code suppress_ragged_eofs}).
 */
final class TlsStreamChannel implements StreamChannel {

    private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};
    /** A file sent through TLS is read in pieces of this size, each wrapped and written. */
    private static final int FILE_CHUNK = 64 * 1024;

    private final SocketChannel socket;
    private final SSLEngine engine;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Encrypted bytes read and not yet unwrapped, between position and limit. Read side. */
    private ByteBuffer netIn;
    /** Decrypted bytes not yet taken, between position and limit. Read side. */
    private ByteBuffer appIn;
    /** Encrypted bytes to write. Write side. */
    private ByteBuffer netOut;
    private volatile boolean handshaken;
    private boolean inputEnded;
    /** A handshake flight's records, written together when the peer's turn comes: one segment, not one per record. */
    private final java.util.ArrayList<ByteBuffer> flight = new java.util.ArrayList<>();

    TlsStreamChannel(SocketChannel socket, SSLEngine engine) {
        this.socket = socket;
        this.engine = engine;
        SSLSession session = engine.getSession();
        this.netIn = ByteBuffer.allocate(session.getPacketBufferSize()).flip();
        this.appIn = ByteBuffer.allocate(session.getApplicationBufferSize()).flip();
        this.netOut = ByteBuffer.allocate(session.getPacketBufferSize());
    }

    @Override
    public SocketChannel socket() {
        return socket;
    }

    /**
     * Runs the handshake unless it is done: at the latest, the first read or write does.
     *
     * @throws SSLHandshakeException when the peer is refused, or ends the connection before it is done
     */
    @Override
    public void handshake() throws IOException {
        if (handshaken) {
            return;
        }
        readLock.lock();
        writeLock.lock();
        try {
            if (handshaken) {
                return;
            }
            engine.beginHandshake();
            HandshakeStatus status = engine.getHandshakeStatus();
            while (status != HandshakeStatus.FINISHED && status != HandshakeStatus.NOT_HANDSHAKING) {
                status = switch (status) {
                    case NEED_WRAP -> wrapInto(flight);
                    case NEED_TASK -> runTasks();
                    default -> { // NEED_UNWRAP, NEED_UNWRAP_AGAIN
                        writeFlight();
                        SSLEngineResult result = unwrap();
                        if (result == null) {
                            throw new SSLHandshakeException("the peer closed the connection during the TLS handshake");
                        }
                        yield result.getHandshakeStatus();
                    }
                };
            }
            writeFlight();
            handshaken = true;
        } finally {
            flight.clear();
            writeLock.unlock();
            readLock.unlock();
        }
    }

    /** Under both locks: wraps a handshake record into {@code records}, to be written with its flight. */
    private HandshakeStatus wrapInto(java.util.List<ByteBuffer> records) throws IOException {
        while (true) {
            netOut.clear();
            SSLEngineResult result = engine.wrap(NOTHING, netOut);
            if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                netOut = ByteBuffer.allocate(Math.max(netOut.capacity() * 2, engine.getSession().getPacketBufferSize()));
                continue;
            }
            if (netOut.flip().hasRemaining()) {
                records.add(ByteBuffer.allocate(netOut.remaining()).put(netOut).flip());
            }
            return result.getHandshakeStatus();
        }
    }

    /** Under both locks: writes the flight's records in one gathering write (as many as it takes). */
    private void writeFlight() throws IOException {
        if (flight.isEmpty()) {
            return;
        }
        ByteBuffer[] records = flight.toArray(ByteBuffer[]::new);
        flight.clear();
        long left = remaining(records, 0, records.length);
        while (left > 0) {
            left -= socket.write(records);
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        handshake();
        readLock.lock();
        try {
            while (!appIn.hasRemaining()) {
                if (inputEnded) {
                    return -1;
                }
                SSLEngineResult result = unwrap();
                if (result == null || result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    inputEnded = true; // close_notify, or a ragged end: both are the end of the input
                    continue;
                }
                afterUnwrap(result.getHandshakeStatus());
            }
            int n = Math.min(appIn.remaining(), dst.remaining());
            dst.put(dst.position(), appIn, appIn.position(), n);
            dst.position(dst.position() + n);
            appIn.position(appIn.position() + n);
            return n;
        } finally {
            readLock.unlock();
        }
    }

    /** A post-handshake message (a TLS 1.3 key update, say) may need an answer or a task. */
    private void afterUnwrap(HandshakeStatus status) throws IOException {
        while (status == HandshakeStatus.NEED_TASK || status == HandshakeStatus.NEED_WRAP) {
            if (status == HandshakeStatus.NEED_TASK) {
                status = runTasks();
            } else {
                writeLock.lock();
                try {
                    status = wrapAndWrite(NOTHING, 0, 1).getHandshakeStatus();
                } finally {
                    writeLock.unlock();
                }
            }
        }
    }

    /**
     * Under the read lock: unwraps one record into {@link #appIn}, reading from the socket as it
     * needs.
     *
     * @return the engine's result, or {@code null} when the socket ended first
     */
    private SSLEngineResult unwrap() throws IOException {
        while (true) {
            appIn.compact();
            SSLEngineResult result;
            try {
                result = engine.unwrap(netIn, appIn);
            } finally {
                appIn.flip();
            }
            switch (result.getStatus()) {
                case OK, CLOSED -> {
                    return result;
                }
                case BUFFER_OVERFLOW -> appIn = larger(appIn, engine.getSession().getApplicationBufferSize());
                case BUFFER_UNDERFLOW -> {
                    boolean full = netIn.position() == 0 && netIn.limit() == netIn.capacity();
                    if (full || netIn.capacity() < engine.getSession().getPacketBufferSize()) {
                        netIn = larger(netIn, engine.getSession().getPacketBufferSize());
                    }
                    netIn.compact();
                    int n;
                    try {
                        n = socket.read(netIn);
                    } finally {
                        netIn.flip();
                    }
                    if (n < 0) {
                        return null;
                    }
                }
            }
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return (int) write(new ByteBuffer[] {src}, 0, 1);
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        handshake();
        writeLock.lock();
        try {
            long consumed = 0;
            while (remaining(srcs, offset, length) > 0) {
                SSLEngineResult result = wrapAndWrite(srcs, offset, length);
                if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    throw new ClosedChannelException();
                }
                consumed += result.bytesConsumed();
                if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                    runTasks();
                }
            }
            return consumed;
        } finally {
            writeLock.unlock();
        }
    }

    /** Under the write lock: wraps one record and writes it all. */
    private SSLEngineResult wrapAndWrite(ByteBuffer[] srcs, int offset, int length) throws IOException {
        while (true) {
            netOut.clear();
            SSLEngineResult result = engine.wrap(srcs, offset, length, netOut);
            if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                netOut = ByteBuffer.allocate(Math.max(netOut.capacity() * 2, engine.getSession().getPacketBufferSize()));
                continue;
            }
            netOut.flip();
            while (netOut.hasRemaining()) {
                socket.write(netOut);
            }
            return result;
        }
    }

    private HandshakeStatus runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
        return engine.getHandshakeStatus();
    }

    @Override
    public void shutdownOutput() throws IOException {
        closeOutbound();
        socket.shutdownOutput();
    }

    /** Sends close_notify, once; nothing when the handshake never finished. */
    @Override
    public void closeOutbound() throws IOException {
        if (!handshaken) {
            return;
        }
        writeLock.lock();
        try {
            if (engine.isOutboundDone()) {
                return;
            }
            engine.closeOutbound();
            while (!engine.isOutboundDone()) {
                SSLEngineResult result = wrapAndWrite(NOTHING, 0, 1);
                if (result.bytesProduced() == 0) {
                    break;
                }
            }
        } catch (SSLException e) {
            // the session is already broken: there is nothing to say goodbye with
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public long sendFile(FileChannel file, long position, long count) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(FILE_CHUNK, count));
        int n = file.read(chunk, position);
        if (n <= 0) {
            return n;
        }
        return write(chunk.flip());
    }

    @Override
    public SSLSession tlsSession() {
        return handshaken ? engine.getSession() : null;
    }

    @Override
    public String applicationProtocol() {
        String chosen = handshaken ? engine.getApplicationProtocol() : null;
        return chosen == null || chosen.isEmpty() ? null : chosen;
    }

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static long remaining(ByteBuffer[] buffers, int offset, int length) {
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += buffers[i].remaining();
        }
        return n;
    }

    /** A larger buffer holding {@code buffer}'s bytes, in the same (read) mode. */
    private static ByteBuffer larger(ByteBuffer buffer, int atLeast) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(atLeast, buffer.capacity() * 2));
        bigger.put(buffer).flip();
        return bigger;
    }
}
