package dev.spindle.net;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A datagram socket for a client: the seeds' {@code socket(AF_INET, SOCK_DGRAM)} with
 * {@code sendto} and {@code recvfrom}, with a timeout on every receive.
 *
 * <pre>{@code
 * try (DatagramClient client = DatagramClient.open()) {
 *     client.sendTo("hello".getBytes(), new InetSocketAddress("127.0.0.1", 9999));
 *     Datagram reply = client.receive(Duration.ofSeconds(1));
 * }
 * }</pre>
 *
 * <p>Unconnected ({@link #open()}), it sends anywhere and receives from anyone; connected
 * ({@link #connect(SocketAddress)}), it sends to and receives from one peer only, and learns of a
 * closed port there ({@link java.net.PortUnreachableException}) on its next receive. A Unix-domain
 * client ({@link #openUnix()}) is bound to a socket file of its own, so that it can be answered;
 * the file is removed at close.
 *
 * <p>Thread-safe: sends are taken one at a time, and so are receives.
 *
 * <h2>Pitfalls</h2>
 * A Unix-domain client runs on junixsocket, whose waits are native calls: on a virtual thread they
 * hold the carrier thread while they wait. Use Unix-domain clients from platform threads, or few
 * at a time.
 */
public final class DatagramClient implements AutoCloseable {

    private static final long MIN_SEND_PAUSE_NANOS = java.util.concurrent.TimeUnit.MICROSECONDS.toNanos(100);
    private static final long MAX_SEND_PAUSE_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20);

    /** How long a send waits for room in the socket's send buffer by default: 10 s. */
    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(10);

    private final DatagramChannel channel;
    private final Selector selector;
    /** A socket file this client made to be answered at, and the directory made for it; removed at close. */
    private final Path ownFile;
    private final Path ownDirectory;
    /** Watches for room in the send buffer; sends wait for it one at a time. */
    private final Selector writeSelector;
    private final ReentrantLock receiving = new ReentrantLock();
    /** Reused by every receive (one at a time, under {@link #receiving}); the datagram's bytes are copied out. */
    private ByteBuffer receiveBuffer = ByteBuffer.allocate(0);
    private final ReentrantLock sending = new ReentrantLock();
    private volatile Duration sendTimeout = DEFAULT_SEND_TIMEOUT;
    private final DatagramReplies replies = this::sendTo;

    private DatagramClient(DatagramChannel channel, Path ownFile, Path ownDirectory) throws IOException {
        this.channel = channel;
        this.ownFile = ownFile;
        this.ownDirectory = ownDirectory;
        Selector reads = null;
        try {
            channel.configureBlocking(false);
            reads = channel.provider().openSelector();
            channel.register(reads, SelectionKey.OP_READ);
            this.writeSelector = channel.provider().openSelector();
            channel.register(writeSelector, SelectionKey.OP_WRITE);
        } catch (IOException | RuntimeException e) {
            if (reads != null) {
                reads.close();
            }
            channel.close();
            throw e;
        }
        this.selector = reads;
    }

    /** An unconnected UDP client bound to an ephemeral port on every address. */
    public static DatagramClient open() throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        try {
            channel.bind(null);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return new DatagramClient(channel, null, null);
    }

    /**
     * A UDP client connected to {@code peer} (an unresolved address is resolved here): it sends
     * there with {@link #send(byte[])} and receives only from there.
     */
    public static DatagramClient connect(SocketAddress peer) throws IOException {
        Objects.requireNonNull(peer, "peer");
        if (UnixDatagrams.isUnix(peer)) { // before the check below: junixsocket's addresses are InetSocketAddresses
            DatagramClient client = openUnix();
            try {
                client.channel.connect(peer);
            } catch (IOException | RuntimeException e) {
                client.close();
                throw e;
            }
            return client;
        }
        if (peer instanceof InetSocketAddress inet && inet.isUnresolved()) {
            peer = new InetSocketAddress(InetAddress.getByName(inet.getHostString()), inet.getPort());
        }
        DatagramChannel channel = DatagramChannel.open();
        try {
            channel.connect(peer);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return new DatagramClient(channel, null, null);
    }

    /**
     * A Unix-domain datagram client bound to a new socket file in the temporary directory,
     * removed at close. Needs the {@code spindle-unixgram} module.
     */
    public static DatagramClient openUnix() throws IOException {
        Path dir = Files.createTempDirectory("spindle-dgram-");
        Path own = dir.resolve("c.sock");
        try {
            return openUnix(own, dir);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(dir);
            throw e;
        }
    }

    /** A Unix-domain datagram client bound to the socket file {@code own}, which it removes at close. */
    public static DatagramClient openUnix(Path own) throws IOException {
        return openUnix(own, null);
    }

    private static DatagramClient openUnix(Path own, Path ownDir) throws IOException {
        DatagramChannel channel = UnixDatagrams.provider().open(own);
        return new DatagramClient(channel, own, ownDir);
    }

    /** Unix peer addresses: {@code path}'s, for {@link #sendTo} and {@link #connect}. */
    public static SocketAddress unixAddress(Path path) {
        return UnixDatagrams.provider().address(path);
    }

    /**
     * How long a send waits for room in the socket's send buffer (a Unix-domain receiver whose
     * queue is full holds its senders back). A setting, not a wait: zero means do not wait (a
     * send that finds no room fails at once); a negative value is refused. Default 10 s.
     *
     * @throws IllegalArgumentException when {@code timeout} is negative
     */
    public DatagramClient sendTimeout(Duration timeout) {
        this.sendTimeout = ConnectionSettings.checkTimeout(timeout, "send timeout");
        return this;
    }

    /**
     * Sends {@code data} to {@code to} as one datagram, waiting up to the
     * {@link #sendTimeout(Duration) send timeout} for room in the send buffer.
     *
     * @throws SocketTimeoutException when there was no room in time
     * @throws IOException when it cannot be sent, such as a datagram too large for the socket
     */
    public void sendTo(byte[] data, SocketAddress to) throws IOException {
        sendTo(ByteBuffer.wrap(data), to);
    }

    private void sendTo(ByteBuffer data, SocketAddress to) throws IOException {
        Objects.requireNonNull(to, "to");
        send(data, () -> channel.send(data, to));
    }

    /**
     * Sends {@code data} to the connected peer, waiting as {@link #sendTo(byte[], SocketAddress)} does.
     *
     * @throws java.nio.channels.NotYetConnectedException when the client is not connected
     */
    public void send(byte[] data) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(data);
        send(buffer, () -> channel.write(buffer));
    }

    /** One attempt to send: the bytes the socket took, 0 when it had no room. */
    private interface SendAttempt {
        int run() throws IOException;
    }

    private void send(ByteBuffer data, SendAttempt attempt) throws IOException {
        int length = data.remaining();
        Duration timeout = sendTimeout;
        Deadline deadline = Deadline.after(timeout);
        long pauseNanos = MIN_SEND_PAUSE_NANOS;
        sending.lock();
        try {
            while (attempt.run() == 0 && length > 0) {
                if (deadline.hasExpired()) {
                    throw new SocketTimeoutException("the datagram of " + length + " bytes was not sent within "
                            + timeout + ": the socket's send buffer stayed full");
                }
                if (writeSelector.select(deadline.selectMillis()) > 0) {
                    // Said writable, yet the send found no room: an unconnected Unix socket is
                    // writable by its own buffer while the receiver's queue is what is full. Pause.
                    LockSupport.parkNanos(this, Math.min(pauseNanos, Math.max(1, deadline.remainingNanos())));
                    pauseNanos = Math.min(MAX_SEND_PAUSE_NANOS, pauseNanos * 2);
                }
                writeSelector.selectedKeys().clear();
            }
        } finally {
            sending.unlock();
        }
    }

    /** {@link #receive(int, Duration)} with up to 64 KiB. */
    public Datagram receive(Duration timeout) throws IOException {
        return receive(DatagramServerBuilder.DEFAULT_MAX_DATAGRAM_SIZE, timeout);
    }

    /**
     * Waits up to {@code timeout} for a datagram of at most {@code maxSize} bytes. Zero or negative
     * means do not wait (as {@link java.util.concurrent.Semaphore#tryAcquire(long,
     * java.util.concurrent.TimeUnit) Semaphore.tryAcquire}): a datagram already waiting is returned.
     * {@link Datagram#reply(byte[])} on the result answers its sender from this client.
     *
     * @throws SocketTimeoutException when none arrived in time
     * @throws DatagramTruncatedException when the datagram was longer than {@code maxSize}; it is consumed
     * @throws java.net.PortUnreachableException on a connected client, when an earlier datagram
     *     found no socket at the peer
     */
    public Datagram receive(int maxSize, Duration timeout) throws IOException {
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be positive, got " + maxSize);
        }
        Deadline deadline = Deadline.after(timeout);
        receiving.lock();
        try {
            if (receiveBuffer.capacity() < maxSize + 1) {
                receiveBuffer = ByteBuffer.allocate(maxSize + 1);
            }
            ByteBuffer buffer = receiveBuffer.clear().limit(maxSize + 1);
            while (true) {
                SocketAddress sender = channel.receive(buffer);
                if (sender != null || buffer.position() > 0) {
                    if (buffer.position() > maxSize) {
                        throw new DatagramTruncatedException(sender, maxSize);
                    }
                    byte[] data = new byte[buffer.flip().remaining()];
                    buffer.get(data);
                    return new Datagram(data, sender, replies);
                }
                if (deadline.hasExpired()) {
                    throw new SocketTimeoutException("no datagram arrived within " + timeout);
                }
                selector.select(deadline.selectMillis());
                selector.selectedKeys().clear();
            }
        } finally {
            receiving.unlock();
        }
    }

    /** This end's address. */
    public SocketAddress localAddress() throws IOException {
        return channel.getLocalAddress();
    }

    /** Closes the socket and removes the socket file this client made. */
    @Override
    public void close() throws IOException {
        try {
            selector.close();
            writeSelector.close();
        } finally {
            channel.close();
            if (ownFile != null) {
                Files.deleteIfExists(ownFile);
            }
            if (ownDirectory != null) {
                Files.deleteIfExists(ownDirectory);
            }
        }
    }
}
