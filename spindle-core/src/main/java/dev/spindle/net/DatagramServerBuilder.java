package dev.spindle.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Configures and opens a {@link DatagramServer}; {@link DatagramServer#builder()} makes one.
 * Every setting has a default; only a handler is required. A builder may open several servers.
 */
public final class DatagramServerBuilder {

    /** The default largest datagram: 64 KiB, more than a UDP datagram can carry (65,507 bytes over IPv4). */
    public static final int DEFAULT_MAX_DATAGRAM_SIZE = 64 * 1024;

    private SocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private Path unixPath;
    private Model model = Model.VIRTUAL;
    private DatagramHandler handler;
    private int maxDatagramSize = DEFAULT_MAX_DATAGRAM_SIZE;
    private int maxInFlight = Integer.MAX_VALUE;
    private WhenFull whenFull = WhenFull.WAIT;
    private boolean reuseAddress = true;
    private Duration shutdownGrace = Duration.ofSeconds(5);
    private BiConsumer<? super SocketAddress, ? super Throwable> onError;
    private String name;
    /** The socket options only; datagram sockets have no framing or timeouts. */
    private final ConnectionSettings options = new ConnectionSettings();

    DatagramServerBuilder() {
    }

    /** Where to receive: an {@link InetSocketAddress}, IPv4 or IPv6 (port 0: any free port). Default 127.0.0.1:0. */
    public DatagramServerBuilder bind(SocketAddress address) {
        this.address = Objects.requireNonNull(address, "address");
        this.unixPath = null;
        return this;
    }

    /** Receive on {@code host}:{@code port}; port 0 lets the system choose ({@link DatagramServer#port()} tells). */
    public DatagramServerBuilder bind(String host, int port) {
        return bind(new InetSocketAddress(host, port));
    }

    /**
     * Receive on a Unix-domain datagram socket at {@code path}: needs the {@code spindle-unixgram}
     * module (junixsocket), as the JDK has no such socket. A stale file left by a dead server is
     * replaced; a live server's is not.
     */
    public DatagramServerBuilder bindUnix(Path path) {
        this.unixPath = Objects.requireNonNull(path, "path");
        return this;
    }

    /** The concurrency model; any but {@link Model#ASYNC}. Default {@link Model#VIRTUAL}. */
    public DatagramServerBuilder model(Model model) {
        this.model = Objects.requireNonNull(model, "model");
        return this;
    }

    /** The handler every datagram goes to. Required. */
    public DatagramServerBuilder handler(DatagramHandler handler) {
        this.handler = Objects.requireNonNull(handler, "handler");
        return this;
    }

    /**
     * The largest datagram the server handles; a longer one is cut short by the socket, so it is
     * counted in {@link DatagramStats#truncated()}, reported, and dropped. Python's
     * {@code max_packet_size} (8192 there, which it truncates to silently). Default 64 KiB.
     *
     * @throws IllegalArgumentException unless {@code bytes} is positive
     */
    public DatagramServerBuilder maxDatagramSize(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("maxDatagramSize must be positive, got " + bytes);
        }
        this.maxDatagramSize = bytes;
        return this;
    }

    /**
     * At most this many handlers running or queued at once (a pool holds no more than its threads
     * and queue anyway); what happens to the next datagram is the {@link #whenFull(WhenFull)}
     * policy. Default unlimited.
     *
     * @throws IllegalArgumentException unless {@code max} is positive
     */
    public DatagramServerBuilder maxInFlight(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxInFlight must be positive, got " + max);
        }
        this.maxInFlight = max;
        return this;
    }

    /**
     * What to do with a datagram while every handler slot is taken: {@link WhenFull#WAIT} (the
     * default) stops receiving until one is free, so datagrams wait in the socket's receive
     * buffer (and the kernel drops what it cannot hold); {@link WhenFull#REFUSE} drops it and
     * counts it in {@link DatagramStats#dropped()}.
     */
    public DatagramServerBuilder whenFull(WhenFull policy) {
        this.whenFull = Objects.requireNonNull(policy, "policy");
        return this;
    }

    /** SO_REUSEADDR for UDP; for a Unix socket, replace a stale socket file. Default on. */
    public DatagramServerBuilder reuseAddress(boolean on) {
        this.reuseAddress = on;
        return this;
    }

    /** A socket option for the server's sockets, such as {@code SO_RCVBUF}; options the socket lacks are skipped. */
    public <T> DatagramServerBuilder option(SocketOption<T> name, T value) {
        options.option(name, value);
        return this;
    }

    /**
     * How long {@link DatagramServer#close()} lets handlers finish. A setting, not a wait: zero
     * means none, and a negative value is refused. Default 5 s.
     *
     * @throws IllegalArgumentException when {@code grace} is negative
     */
    public DatagramServerBuilder shutdownGrace(Duration grace) {
        this.shutdownGrace = ConnectionSettings.checkTimeout(grace, "shutdown grace");
        return this;
    }

    /** The error hook: called with the sender (or {@code null}) and the failure. Default: a rate-limited log line. */
    public DatagramServerBuilder onError(BiConsumer<? super SocketAddress, ? super Throwable> onError) {
        this.onError = Objects.requireNonNull(onError, "onError");
        return this;
    }

    /** The server's name, used for its threads and log lines. Default {@code spindle-udp-N}. */
    public DatagramServerBuilder name(String name) {
        this.name = Objects.requireNonNull(name, "name");
        return this;
    }

    /** What a server is made of once its sockets are bound. */
    record Opened(String name, Model model, DatagramHandler handler, List<DatagramChannel> channels,
                  Path unixSocketFile, int maxDatagramSize, int maxInFlight, WhenFull whenFull,
                  Duration shutdownGrace, BiConsumer<? super SocketAddress, ? super Throwable> onError) {
    }

    /**
     * Binds the server's sockets. Datagrams wait in their receive buffers until it is started.
     *
     * @throws IllegalStateException when no handler was given
     * @throws UnsupportedOperationException under {@link Model#ASYNC}, or for a Unix-domain
     *     address without the {@code spindle-unixgram} module
     * @throws java.net.BindException naming the address and what to do, when it cannot be bound
     * @throws IOException when a socket cannot be opened
     */
    public DatagramServer open() throws IOException {
        if (handler == null) {
            throw new IllegalStateException("no handler: call handler(...) before open()");
        }
        int receivers = model.datagramReceivers();
        List<DatagramChannel> channels = new ArrayList<>();
        try {
            if (unixPath != null) {
                channels.add(openUnix());
            } else {
                openInet(receivers, channels);
            }
            for (DatagramChannel channel : channels) {
                options.applyOptions(channel);
            }
            return new DatagramServer(new Opened(name != null ? name : DatagramServer.nextName(), model, handler,
                    List.copyOf(channels), unixPath, maxDatagramSize, Math.min(maxInFlight, model.capacity()),
                    whenFull, shutdownGrace, onError));
        } catch (IOException | RuntimeException e) {
            channels.forEach(ConnectionRegistry::closeQuietly);
            if (unixPath != null && !channels.isEmpty()) {
                Files.deleteIfExists(unixPath);
            }
            throw e;
        }
    }

    /**
     * One socket, or (under the event-loop model) one per loop bound to the same port with
     * SO_REUSEPORT, so that the kernel spreads senders over them.
     */
    private void openInet(int count, List<DatagramChannel> channels) throws IOException {
        SocketAddress bindTo = address;
        if (bindTo instanceof InetSocketAddress inet && inet.isUnresolved()) {
            bindTo = new InetSocketAddress(InetAddress.getByName(inet.getHostString()), inet.getPort());
        }
        for (int i = 0; i < count; i++) {
            DatagramChannel channel = DatagramChannel.open();
            channels.add(channel);
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, reuseAddress);
            if (count > 1) {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            try {
                channel.bind(bindTo);
            } catch (IOException e) {
                throw BindFailure.explain(bindTo, e);
            }
            bindTo = channel.getLocalAddress(); // the port the first chose, for the others
        }
    }

    private DatagramChannel openUnix() throws IOException {
        UnixDatagramProvider provider = UnixDatagrams.provider();
        if (reuseAddress) {
            StaleSocketFile.removeIfDead(unixPath, path -> {
                try (DatagramChannel probe = provider.open(null)) {
                    probe.connect(provider.address(path)); // someone is bound: leave the file
                }
            });
        }
        try {
            return provider.open(unixPath);
        } catch (IOException e) {
            // The JDK's form of the address: BindFailure names its path and says what to do, as for a Unix stream server.
            throw BindFailure.explain(java.net.UnixDomainSocketAddress.of(unixPath), e);
        }
    }
}
