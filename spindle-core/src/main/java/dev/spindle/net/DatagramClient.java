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
 * <p>Thread-safe: sends may run concurrently; receives are taken one at a time.
 */
public final class DatagramClient implements AutoCloseable {

    private final DatagramChannel channel;
    private final Selector selector;
    /** A socket file this client made to be answered at, and the directory made for it; removed at close. */
    private final Path ownFile;
    private final Path ownDirectory;
    private final ReentrantLock receiving = new ReentrantLock();
    private final DatagramReplies replies = this::sendTo;

    private DatagramClient(DatagramChannel channel, Path ownFile, Path ownDirectory) throws IOException {
        this.channel = channel;
        this.ownFile = ownFile;
        this.ownDirectory = ownDirectory;
        try {
            channel.configureBlocking(false);
            this.selector = channel.provider().openSelector();
            channel.register(selector, SelectionKey.OP_READ);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
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
        if (peer instanceof InetSocketAddress inet && inet.isUnresolved()) {
            peer = new InetSocketAddress(InetAddress.getByName(inet.getHostString()), inet.getPort());
        }
        if (UnixDatagrams.isUnix(peer)) {
            DatagramClient client = openUnix();
            try {
                client.channel.connect(peer);
            } catch (IOException | RuntimeException e) {
                client.close();
                throw e;
            }
            return client;
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
     * Sends {@code data} to {@code to} as one datagram.
     *
     * @throws IOException when it is not sent: too large for the socket, or its send buffer is full
     */
    public void sendTo(byte[] data, SocketAddress to) throws IOException {
        sendTo(ByteBuffer.wrap(data), to);
    }

    private void sendTo(ByteBuffer data, SocketAddress to) throws IOException {
        int length = data.remaining();
        int sent = channel.send(data, Objects.requireNonNull(to, "to"));
        if (sent == 0 && length > 0) {
            throw new IOException("the datagram of " + length + " bytes to " + to
                    + " was not sent: the socket's send buffer is full");
        }
    }

    /**
     * Sends {@code data} to the connected peer.
     *
     * @throws java.nio.channels.NotYetConnectedException when the client is not connected
     */
    public void send(byte[] data) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(data);
        int sent = channel.write(buffer);
        if (sent == 0 && data.length > 0) {
            throw new IOException("the datagram of " + data.length + " bytes was not sent: the socket's send buffer is full");
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
        ByteBuffer buffer = ByteBuffer.allocate(maxSize + 1);
        receiving.lock();
        try {
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
