package dev.spindle.net;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;

/**
 * TLS for a {@link Protocol} on a non-blocking transport, under the event-loop and async models:
 * a protocol between the transport and the user's protocol, as Netty's {@code SslHandler} sits in
 * a pipeline. Bytes from the peer are unwrapped before the user's protocol sees them; its writes
 * are wrapped before the transport sends them. The user's {@code connectionMade} comes once the
 * handshake is done, as asyncio's does.
 *
 * <p>A handshake that fails ends the connection with the engine's {@link SSLException}; one that
 * has not finished within the handshake timeout is closed as timed out ({@link TimeoutWatchdog}),
 * so a client that stalls cannot hold a slot.
 */
final class TlsProtocol implements Protocol, TimeoutWatchdog.Timed {

    private final SSLEngine engine;
    private final Protocol user;
    private final long handshakeTimeoutNanos;
    private final TlsTransport tlsTransport = new TlsTransport();
    /** Guards the engine's buffers and keeps wrapped records in the order they are made. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Writes the user made before the handshake finished (from another thread), sent after it. */
    private final ArrayDeque<ByteBuffer> early = new ArrayDeque<>();
    /**
     * Records made and not yet handed to the transport: a handshake's flight goes out in one
     * gathering write, not a segment per record. Records after the handshake go out as they are
     * made, unless some still wait here (their order is the stream's).
     */
    private final java.util.ArrayList<ByteBuffer> outgoing = new java.util.ArrayList<>();
    private Transport transport;
    /** Encrypted bytes received and not yet unwrapped, between position and limit. */
    private ByteBuffer netIn;
    private ByteBuffer appIn;
    private ByteBuffer netOut;
    private volatile boolean handshaken;
    private volatile long handshakeDeadline;
    private boolean userPaused;
    private boolean userToldOfEof;
    private boolean userKeepsOpen;

    TlsProtocol(SSLEngine engine, Protocol user, java.time.Duration handshakeTimeout) {
        this.engine = engine;
        this.user = user;
        this.handshakeTimeoutNanos = handshakeTimeout.toNanos();
        SSLSession session = engine.getSession();
        this.netIn = ByteBuffer.allocate(session.getPacketBufferSize()).flip();
        this.appIn = ByteBuffer.allocate(session.getApplicationBufferSize());
        this.netOut = ByteBuffer.allocate(session.getPacketBufferSize());
    }

    // ---- from the transport ----

    @Override
    public void connectionMade(Transport transport) {
        this.transport = transport;
        handshakeDeadline = System.nanoTime() + handshakeTimeoutNanos;
        TimeoutWatchdog.INSTANCE.watch(this, handshakeTimeoutNanos);
        lock.lock();
        try {
            engine.beginHandshake();
            advance(engine.getHandshakeStatus());
        } catch (SSLException e) {
            sendAlert();
            throw new java.io.UncheckedIOException(e); // ends the connection, with the engine's reason
        } finally {
            flush();
            lock.unlock();
        }
    }

    @Override
    public void dataReceived(ByteBuffer data) throws Exception {
        lock.lock();
        try {
            append(data);
            unwrapAll();
        } finally {
            flush();
            lock.unlock();
        }
    }

    /** Under the lock: unwraps every whole record received, and hands the bytes on unless the user paused. */
    private void unwrapAll() throws Exception {
        while (netIn.hasRemaining() && !userPaused) {
            appIn.clear();
            SSLEngineResult result;
            try {
                result = engine.unwrap(netIn, appIn);
            } catch (SSLException e) {
                sendAlert();
                throw e; // ends the connection, with the engine's reason
            }
            switch (result.getStatus()) {
                case BUFFER_UNDERFLOW -> {
                    return; // the rest of the record is on its way
                }
                case BUFFER_OVERFLOW -> {
                    appIn = ByteBuffer.allocate(Math.max(appIn.capacity() * 2, engine.getSession().getApplicationBufferSize()));
                    continue;
                }
                case OK, CLOSED -> { }
            }
            if (appIn.position() > 0) {
                user.dataReceived(appIn.flip());
            }
            advance(result.getHandshakeStatus());
            if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                userEof(); // the peer's close_notify
                return;
            }
        }
    }

    /** Under the lock: runs the handshake (or a post-handshake exchange) as far as it goes without the peer. */
    private void advance(HandshakeStatus status) throws SSLException {
        while (true) {
            switch (status) {
                case NEED_TASK -> {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                    status = engine.getHandshakeStatus();
                }
                case NEED_WRAP -> status = wrap(ByteBuffer.allocate(0)).getHandshakeStatus();
                case FINISHED -> {
                    handshakeDone();
                    return;
                }
                default -> { // NEED_UNWRAP: the peer speaks next; NOT_HANDSHAKING: nothing to do
                    if (status == HandshakeStatus.NOT_HANDSHAKING && !handshaken) {
                        handshakeDone();
                    }
                    return;
                }
            }
        }
    }

    private void handshakeDone() {
        if (handshaken) {
            return;
        }
        handshaken = true;
        TimeoutWatchdog.INSTANCE.unwatch(this);
        user.connectionMade(tlsTransport);
        while (!early.isEmpty()) {
            tlsTransport.write(early.poll());
        }
    }

    /** Under the lock: wraps one record of {@code data} and hands it to the transport. */
    private SSLEngineResult wrap(ByteBuffer... data) throws SSLException {
        while (true) {
            netOut.clear();
            SSLEngineResult result = engine.wrap(data, netOut);
            if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                netOut = ByteBuffer.allocate(Math.max(netOut.capacity() * 2, engine.getSession().getPacketBufferSize()));
                continue;
            }
            if (netOut.flip().hasRemaining()) {
                if (handshaken && outgoing.isEmpty()) {
                    transport.write(netOut);
                } else {
                    ByteBuffer record = ByteBuffer.allocate(netOut.remaining());
                    outgoing.add(record.put(netOut).flip());
                }
            }
            return result;
        }
    }

    private void userEof() throws Exception {
        if (userToldOfEof || !handshaken) {
            return;
        }
        userToldOfEof = true;
        userKeepsOpen = user.eofReceived();
        if (!userKeepsOpen) {
            tlsTransport.close();
        }
    }

    @Override
    public boolean eofReceived() throws Exception {
        lock.lock();
        try {
            if (!handshaken) {
                throw new SSLHandshakeException("the peer closed the connection during the TLS handshake");
            }
            userEof(); // a close without close_notify ends the input all the same, as Python's ssl lets it
            return userKeepsOpen;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void writabilityChanged(boolean writable) {
        if (handshaken) {
            user.writabilityChanged(writable);
        }
    }

    @Override
    public void connectionLost(Throwable cause) {
        TimeoutWatchdog.INSTANCE.unwatch(this);
        if (handshaken) {
            user.connectionLost(cause);
        }
    }

    /** Under the lock: hands the records waiting in {@link #outgoing} to the transport, in one write. */
    private void flush() {
        if (!outgoing.isEmpty()) {
            transport.write(outgoing.toArray(ByteBuffer[]::new));
            outgoing.clear();
        }
    }

    /** After a failed handshake or record: the alert the engine has for the peer, if any. */
    private void sendAlert() {
        try {
            engine.closeOutbound();
            wrap(ByteBuffer.allocate(0));
        } catch (SSLException | RuntimeException ignored) {
            // the alert is a courtesy
        }
        flush();
    }

    private void append(ByteBuffer data) {
        if (netIn.limit() + data.remaining() > netIn.capacity()) {
            netIn.compact();
            if (netIn.remaining() < data.remaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(netIn.position() + data.remaining());
                bigger.put(netIn.flip());
                netIn = bigger;
            }
            netIn.flip();
        }
        int end = netIn.limit();
        netIn.limit(end + data.remaining());
        netIn.put(end, data, data.position(), data.remaining());
        data.position(data.limit());
    }

    // ---- the handshake's deadline ----

    @Override
    public void expireIfDue(long now) {
        if (!handshaken && now - handshakeDeadline > 0) {
            TimeoutWatchdog.INSTANCE.unwatch(this);
            if (transport instanceof LiveConnection live) {
                live.closeFor(CloseReason.TIMEOUT);
            } else {
                transport.abort();
            }
        }
    }

    @Override
    public long shortestTimeoutNanos() {
        return handshakeTimeoutNanos;
    }

    /** What the user's protocol writes to: the transport, through the engine. */
    private final class TlsTransport implements Transport {

        @Override
        public void write(ByteBuffer data) {
            write(new ByteBuffer[] {data});
        }

        @Override
        public void write(ByteBuffer... data) {
            lock.lock();
            try {
                if (!handshaken) {
                    for (ByteBuffer b : data) {
                        ByteBuffer copy = ByteBuffer.allocate(b.remaining());
                        early.add(copy.put(b).flip());
                    }
                    return;
                }
                while (remaining(data) > 0 && !engine.isOutboundDone()) {
                    wrap(data);
                }
                OutboundBuffer.discard(data);
            } catch (SSLException e) {
                sendAlert();
                transport.abort();
            } finally {
                flush();
                lock.unlock();
            }
        }

        @Override
        public boolean isWritable() {
            return transport.isWritable();
        }

        @Override
        public int writeBufferSize() {
            return transport.writeBufferSize();
        }

        @Override
        public void writeBufferLimits(int high, int low) {
            transport.writeBufferLimits(high, low);
        }

        @Override
        public void pauseReading() {
            lock.lock();
            try {
                userPaused = true;
            } finally {
                lock.unlock();
            }
            transport.pauseReading();
        }

        @Override
        public void resumeReading() {
            lock.lock();
            try {
                userPaused = false;
                unwrapAll(); // records that arrived before the pause took hold
            } catch (Exception e) {
                transport.abort();
            } finally {
                lock.unlock();
            }
            transport.resumeReading();
        }

        @Override
        public void shutdownOutput() {
            sayGoodbye();
            transport.shutdownOutput();
        }

        @Override
        public void close() {
            sayGoodbye();
            transport.close();
        }

        /** Sends close_notify, once. */
        private void sayGoodbye() {
            lock.lock();
            try {
                if (handshaken && !engine.isOutboundDone()) {
                    engine.closeOutbound();
                    while (!engine.isOutboundDone()) {
                        if (wrap(ByteBuffer.allocate(0)).bytesProduced() == 0) {
                            break;
                        }
                    }
                }
            } catch (SSLException ignored) {
                // a broken session has no goodbye
            } finally {
                flush();
                lock.unlock();
            }
        }

        @Override
        public void abort() {
            transport.abort();
        }

        @Override
        public boolean isClosing() {
            return transport.isClosing();
        }

        @Override
        public SocketAddress peerAddress() {
            return transport.peerAddress();
        }

        @Override
        public SocketAddress localAddress() {
            return transport.localAddress();
        }

        @Override
        public long id() {
            return transport.id();
        }

        @Override
        public SSLSession tlsSession() {
            return engine.getSession();
        }

        @Override
        public String applicationProtocol() {
            String chosen = engine.getApplicationProtocol();
            return chosen == null || chosen.isEmpty() ? null : chosen;
        }

        @Override
        public String toString() {
            return "TLS " + transport;
        }
    }

    private static long remaining(ByteBuffer[] buffers) {
        long n = 0;
        for (ByteBuffer b : buffers) {
            n += b.remaining();
        }
        return n;
    }
}
