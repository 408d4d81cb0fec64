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

    /**
     * The read buffer adapts to the traffic, as Netty's receive-buffer allocator does: it starts
     * small, doubles while reads fill it, and halves after a run of reads that use a quarter of it.
     * An idle connection parked in a read then holds 2 KiB, not 64, which is most of what a
     * virtual-thread connection costs; a streaming one soon reads 64 KiB at a time.
     */
    private static final int MIN_READ_SIZE = 2 * 1024;
    private static final int MAX_READ_SIZE = 64 * 1024;
    private static final int SMALL_READS_BEFORE_SHRINKING = 8;

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
            ByteBuffer buffer = ByteBuffer.allocate(MIN_READ_SIZE);
            int smallReads = 0;
            while (!transport.isClosing()) {
                transport.awaitReadingAllowed();
                if (transport.isClosing()) {
                    break;
                }
                int n = connection.recvInto(buffer.clear());
                // Paused by another thread while this one was blocked in the read: the bytes wait
                // here, as they would in the socket, until the protocol may have them.
                transport.awaitReadingAllowed();
                if (transport.isClosing()) {
                    break;
                }
                if (n < 0) {
                    if (protocol.eofReceived()) {
                        transport.awaitClosed(); // half-closed: the protocol writes until it closes
                    }
                    break;
                }
                protocol.dataReceived(buffer.flip());
                if (n == buffer.capacity() && n < MAX_READ_SIZE) {
                    buffer = ByteBuffer.allocate(n * 2);
                    smallReads = 0;
                } else if (n <= buffer.capacity() / 4 && buffer.capacity() > MIN_READ_SIZE
                        && ++smallReads >= SMALL_READS_BEFORE_SHRINKING) {
                    buffer = ByteBuffer.allocate(buffer.capacity() / 2);
                    smallReads = 0;
                }
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
    private static final class BlockingTransport implements Transport, InputAccounted {
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
        public InputBudget.Account inputAccount() {
            return connection instanceof InputAccounted accounted
                    ? accounted.inputAccount() : InputBudget.Account.UNCHARGED;
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
            WaterMarks.check(high, low); // a blocking send is its own back-pressure: nothing to keep
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

        /**
         * Waits until the protocol closes the transport, or the connection is closed under it (by
         * the server's shutdown or a timeout), which nothing signals here: hence the bounded waits.
         */
        void awaitClosed() throws InterruptedException {
            stateLock.lock();
            try {
                while (!closing && connection.isOpen()) {
                    changed.await(100, java.util.concurrent.TimeUnit.MILLISECONDS);
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
        public javax.net.ssl.SSLSession tlsSession() {
            return connection.tlsSession();
        }

        @Override
        public String applicationProtocol() {
            return connection.applicationProtocol();
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
