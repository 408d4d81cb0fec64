package dev.spindle.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Runs a {@link Protocol} under a blocking model: the handler's thread reads and calls the
 * protocol, and the transport's writes are blocking sends, so back-pressure is the socket's own
 * and the transport is always writable.
 */
final class ProtocolHandler implements ConnectionHandler {

    private static final int READ_SIZE = 64 * 1024;

    private final Supplier<? extends Protocol> protocols;

    ProtocolHandler(Supplier<? extends Protocol> protocols) {
        this.protocols = protocols;
    }

    @Override
    public void handle(Connection connection) throws Exception {
        Protocol protocol = protocols.get();
        BlockingTransport transport = new BlockingTransport(connection);
        Throwable cause = null;
        try {
            protocol.connectionMade(transport);
            ByteBuffer buffer = ByteBuffer.allocate(READ_SIZE);
            while (!transport.isClosing()) {
                transport.awaitReadingAllowed();
                if (transport.isClosing()) {
                    break;
                }
                int n = connection.recvInto(buffer.clear());
                if (n < 0) {
                    if (protocol.eofReceived()) {
                        transport.awaitClosed(); // half-closed: the protocol writes until it closes
                    }
                    break;
                }
                protocol.dataReceived(buffer.flip());
            }
            transport.rethrowWriteFailure();
        } catch (Throwable t) {
            cause = transport.isClosing() && transport.closedByProtocol() ? null : t;
            if (cause != null) {
                throw t;
            }
        } finally {
            transport.close();
            protocol.connectionLost(cause);
        }
    }

    /** Writes are blocking sends; pausing parks the reading thread. */
    private static final class BlockingTransport implements Transport {
        private final Connection connection;
        private final ReentrantLock writeLock = new ReentrantLock();
        private final ReentrantLock stateLock = new ReentrantLock();
        private final Condition changed = stateLock.newCondition();
        private boolean paused;
        private volatile boolean closing;
        private volatile boolean closedByProtocol;
        private volatile IOException writeFailure;

        BlockingTransport(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void write(ByteBuffer data) {
            write(new ByteBuffer[] {data});
        }

        @Override
        public void write(ByteBuffer... data) {
            if (closing) {
                for (ByteBuffer b : data) {
                    b.position(b.limit());
                }
                return;
            }
            writeLock.lock();
            try {
                connection.sendAll(data);
            } catch (IOException e) {
                writeFailure = e;
                abort();
            } finally {
                writeLock.unlock();
            }
        }

        void rethrowWriteFailure() throws IOException {
            if (writeFailure != null) {
                throw writeFailure;
            }
        }

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public int writeBufferSize() {
            return 0;
        }

        @Override
        public void writeBufferLimits(int high, int low) {
            if (low < 0 || high < low) {
                throw new IllegalArgumentException("need 0 <= low <= high, got low " + low + ", high " + high);
            }
        }

        @Override
        public void pauseReading() {
            stateLock.lock();
            try {
                paused = true;
            } finally {
                stateLock.unlock();
            }
        }

        @Override
        public void resumeReading() {
            stateLock.lock();
            try {
                paused = false;
                changed.signalAll();
            } finally {
                stateLock.unlock();
            }
        }

        void awaitReadingAllowed() throws InterruptedException {
            stateLock.lock();
            try {
                while (paused && !closing) {
                    changed.await();
                }
            } finally {
                stateLock.unlock();
            }
        }

        void awaitClosed() throws InterruptedException {
            stateLock.lock();
            try {
                while (!closing) {
                    changed.await();
                }
            } finally {
                stateLock.unlock();
            }
        }

        @Override
        public void shutdownOutput() {
            writeLock.lock();
            try {
                connection.shutdownOutput();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                writeLock.unlock();
            }
        }

        @Override
        public void close() {
            closedByProtocol = closedByProtocol || !closing;
            markClosing();
            connection.close();
        }

        @Override
        public void abort() {
            markClosing();
            connection.close();
        }

        boolean closedByProtocol() {
            return closedByProtocol;
        }

        private void markClosing() {
            stateLock.lock();
            try {
                closing = true;
                changed.signalAll();
            } finally {
                stateLock.unlock();
            }
        }

        @Override
        public boolean isClosing() {
            return closing;
        }

        @Override
        public SocketAddress peerAddress() {
            return connection.peerAddress();
        }

        @Override
        public SocketAddress localAddress() {
            return connection.localAddress();
        }

        @Override
        public long id() {
            return connection.id();
        }
    }
}
