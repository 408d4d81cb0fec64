package dev.spindle.net;

import dev.spindle.codec.Framing;
import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens client {@link Connection}s to TCP and Unix-domain servers: Python's
 * {@code create_connection} and {@code connect_ex}.
 *
 * <p>A TCP connect tries every address the host name resolves to, IPv6 and IPv4, in the
 * resolver's order, each with the connect timeout, and returns the first that answers; when all
 * fail, the exception names each address and why it failed.
 *
 * <pre>{@code
 * try (Connection c = Client.connect("127.0.0.1", 9999, Duration.ofSeconds(5))) {
 *     c.sendAll("hello".getBytes(UTF_8));
 *     byte[] reply = c.recv(1024);
 * }
 * }</pre>
 *
 * <h2>Timeouts</h2>
 * The static forms that take a {@link Duration} wait at most that long for each address. Zero or
 * negative means do not wait (as {@link java.util.concurrent.Semaphore#tryAcquire(long,
 * java.util.concurrent.TimeUnit) Semaphore.tryAcquire}), never wait forever: one attempt, which
 * succeeds only if the connection is made at once (a Unix-domain connect is, unless the server's
 * backlog is full; a TCP connect to the local machine usually is). A {@link Builder#connectTimeout
 * connect timeout} set on a builder is a setting, not a wait: zero means none there.
 *
 * <p>A {@code Client} made by {@link #builder()} is immutable and thread-safe; it only holds settings.
 */
public final class Client {

    private static final AtomicLong CONNECTION_NUMBERS = new AtomicLong();

    /** How long each address may take: {@code null} for no limit of Spindle's own; zero or negative does not wait. */
    private final Duration connectWait;
    private final ConnectionSettings settings;
    private final ConnectionSecurity security;

    private Client(Builder b) {
        this(b, b.connectTimeout.isZero() ? null : b.connectTimeout);
    }

    private Client(Builder b, Duration connectWait) {
        this.connectWait = connectWait;
        this.settings = b.settings.copy();
        this.security = b.security;
    }

    /** A builder for clients with timeouts, framing and socket options of their own. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Connects to {@code host}:{@code port} with default settings, waiting at most
     * {@code connectTimeout} for each address. Zero or negative means do not wait (as
     * {@link java.util.concurrent.Semaphore#tryAcquire(long, java.util.concurrent.TimeUnit)
     * Semaphore.tryAcquire}), never wait forever: each address gets one attempt that does not wait.
     *
     * @throws SocketTimeoutException when no address answered in time
     * @throws IOException as {@link #connect(String, int)}
     */
    public static Connection connect(String host, int port, Duration connectTimeout) throws IOException {
        return waiting(connectTimeout).connect(host, port);
    }

    /** Connects to a Unix-domain server's socket file, waiting at most 10 s (the default connect timeout). */
    public static Connection connect(Path unixSocket) throws IOException {
        return builder().build().connect(UnixDomainSocketAddress.of(unixSocket));
    }

    /**
     * Connects to a Unix-domain server's socket file, waiting at most {@code timeout}, which only a
     * server whose backlog is full makes it do. Zero or negative means do not wait (as
     * {@link java.util.concurrent.Semaphore#tryAcquire(long, java.util.concurrent.TimeUnit)
     * Semaphore.tryAcquire}), never wait forever: with a full backlog it then fails at once with the
     * system's error ({@code EAGAIN}, a {@link java.net.SocketException}).
     *
     * @throws SocketTimeoutException when the server's backlog stayed full until the timeout
     * @throws ConnectException when nothing listens there
     */
    public static Connection connect(Path unixSocket, Duration timeout) throws IOException {
        return waiting(timeout).connect(UnixDomainSocketAddress.of(unixSocket));
    }

    /** As {@link #connect(String, int, Duration)}, but reports failure as a value; never throws. */
    public static ConnectResult tryConnect(String host, int port, Duration connectTimeout) {
        return waiting(connectTimeout).tryConnect(host, port);
    }

    /** A client with default settings whose connects wait at most {@code timeout}, the rule for waits. */
    private static Client waiting(Duration timeout) {
        return new Client(builder(), Objects.requireNonNull(timeout, "timeout"));
    }

    /**
     * Connects to {@code host}:{@code port}, trying each resolved address in turn.
     *
     * @throws java.net.UnknownHostException when the name does not resolve
     * @throws SocketTimeoutException when no address answered within the connect timeout
     * @throws ConnectException when every address refused; suppressed exceptions hold each attempt's failure
     */
    public Connection connect(String host, int port) throws IOException {
        return connect(InetAddress.getAllByName(host), port);
    }

    /** Tries each address in turn, as {@code create_connection} walks {@code getaddrinfo}'s answers. */
    Connection connect(InetAddress[] addresses, int port) throws IOException {
        IOException failure = null;
        for (InetAddress address : addresses) {
            try {
                return connect(new InetSocketAddress(address, port));
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        throw Objects.requireNonNull(failure);
    }

    /**
     * Connects to one address: a resolved {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}.
     *
     * @throws IOException when the connection cannot be made; the message names the address
     */
    public Connection connect(SocketAddress address) throws IOException {
        if (address instanceof InetSocketAddress inet && inet.isUnresolved()) {
            return connect(inet.getHostString(), inet.getPort());
        }
        Deadline deadline = connectWait == null ? Deadline.NONE : Deadline.after(connectWait);
        SocketChannel channel;
        try {
            // Options first: buffer sizes must be set before the handshake.
            channel = Dialer.connect(address, deadline, settings::applyOptions);
        } catch (SocketTimeoutException e) {
            String after = connectWait == null ? "" : " after "
                    + (connectWait.isNegative() ? Duration.ZERO : connectWait).toMillis() + " ms";
            SocketTimeoutException named = new SocketTimeoutException("connect to " + address + " timed out" + after
                    + ": " + e.getMessage());
            named.initCause(e);
            throw named;
        } catch (ConnectException e) {
            ConnectException named = new ConnectException("connect to " + address + " failed: " + e.getMessage());
            named.initCause(e);
            throw named;
        }
        ChannelConnection connection = null;
        try {
            connection = new ChannelConnection(CONNECTION_NUMBERS.incrementAndGet(),
                    security.channel(channel, address), settings, null, InputBudget.NONE);
            connection.handshake(security.handshakeTimeout());
            return connection;
        } catch (IOException | RuntimeException e) {
            if (connection != null) {
                connection.close();
            }
            closeQuietly(channel);
            throw e;
        }
    }

    /** As {@link #connect(String, int)}, but reports failure as a value; never throws. */
    public ConnectResult tryConnect(String host, int port) {
        try {
            return new ConnectResult.Connected(connect(host, port));
        } catch (IOException e) {
            return new ConnectResult.Failed(e);
        }
    }

    /** As {@link #connect(SocketAddress)}, but reports failure as a value; never throws. */
    public ConnectResult tryConnect(SocketAddress address) {
        try {
            return new ConnectResult.Connected(connect(address));
        } catch (IOException e) {
            return new ConnectResult.Failed(e);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // a socket that failed to connect has nothing to flush
        }
    }

    /** Settings for a {@link Client}. Defaults: 10 s connect timeout, no read or write timeout, raw framing. */
    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(10);
        private final ConnectionSettings settings = new ConnectionSettings();
        private ConnectionSecurity security = ConnectionSecurity.PLAIN;

        private Builder() {
        }

        /**
         * How long each address may take to accept the connection (a Unix-domain server takes long
         * only when its backlog is full). A setting, not a wait: zero means none (the system's
         * timeout, typically minutes, still ends a TCP connect), and a negative value is refused.
         * Default 10 s.
         *
         * @throws IllegalArgumentException when {@code timeout} is negative
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = ConnectionSettings.checkTimeout(timeout, "connect timeout");
            return this;
        }

        /**
         * The initial read timeout of each connection, {@link Connection#readTimeout(Duration)}. A
         * setting, not a wait: zero means none, and a negative value is refused. Default none.
         *
         * @throws IllegalArgumentException when {@code timeout} is negative
         */
        public Builder readTimeout(Duration timeout) {
            settings.readTimeout = ConnectionSettings.checkTimeout(timeout, "read timeout");
            return this;
        }

        /**
         * The initial write timeout of each connection, {@link Connection#writeTimeout(Duration)}. A
         * setting, not a wait: zero means none, and a negative value is refused. Default none.
         *
         * @throws IllegalArgumentException when {@code timeout} is negative
         */
        public Builder writeTimeout(Duration timeout) {
            settings.writeTimeout = ConnectionSettings.checkTimeout(timeout, "write timeout");
            return this;
        }

        /** The framing for {@link Connection#readFrame()} and {@link Connection#sendFrame(byte[])}. */
        /**
         * TLS for every connection, such as {@code Tls.client(context)}: the handshake runs in
         * {@link Client#connect}, which fails with an {@link javax.net.ssl.SSLHandshakeException}
         * when the server is not trusted or its certificate does not name the host. Turns
         * {@code TCP_NODELAY} on: the handshake's flights are small writes that Nagle's algorithm
         * would hold back for the peer's delayed acknowledgement (some 40 ms each).
         *
         * @throws IllegalArgumentException when {@code tls} is a server's side
         */
        public Builder tls(Tls tls) {
            if (!tls.isClient()) {
                throw new IllegalArgumentException("a client needs a client's Tls: Tls.client(context)");
            }
            this.security = tls.security();
            settings.option(java.net.StandardSocketOptions.TCP_NODELAY, true);
            return this;
        }

        public Builder framing(Framing framing) {
            settings.framing = Objects.requireNonNull(framing, "framing");
            return this;
        }

        /** A socket option for each connection; options the transport lacks are skipped. */
        public <T> Builder option(SocketOption<T> name, T value) {
            settings.option(name, value);
            return this;
        }

        public Client build() {
            return new Client(this);
        }
    }
}
