package dev.spindle.net;

import dev.spindle.codec.Framing;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Configures and opens a {@link StreamServer}; {@link StreamServer#builder()} makes one. Every
 * setting has a default; only a handler is required. A builder may open several servers; each gets a copy of the settings.
 */
public final class StreamServerBuilder {
    private SocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private int backlog = 1024;
    private boolean reuseAddress = true;
    private boolean reusePort;
    private Supplier<? extends ConnectionHandler> handlers;
    private Supplier<? extends Protocol> protocols;
    private Model model = Model.VIRTUAL;
    private int maxConnections = Integer.MAX_VALUE;
    private Duration shutdownGrace = Duration.ofSeconds(5);
    private Duration pollInterval = Duration.ofMillis(500);
    private Predicate<? super SocketAddress> verify;
    private BiConsumer<? super SocketAddress, ? super Throwable> onError;
    private Runnable onTimeout;
    private Runnable serviceActions;
    private String name;
    private WhenFull whenFull = WhenFull.WAIT;
    private ConnectionSecurity security = ConnectionSecurity.PLAIN;
    private long inputBudget; // 0: the default, computed when the server opens
    private final ConnectionSettings settings = new ConnectionSettings();

    StreamServerBuilder() {
        settings.option(StandardSocketOptions.TCP_NODELAY, true);
    }

    /**
     * Where to listen: an {@link InetSocketAddress} (port 0: any free port; an unresolved one
     * is resolved by {@link #open()}) or a {@link UnixDomainSocketAddress}. Default 127.0.0.1:0.
     */
    public StreamServerBuilder bind(SocketAddress address) {
        this.address = Objects.requireNonNull(address, "address");
        return this;
    }

    /** Listen on {@code host}:{@code port}; port 0 lets the system choose ({@link StreamServer#localAddress()} tells). */
    public StreamServerBuilder bind(String host, int port) {
        return bind(new InetSocketAddress(host, port));
    }

    /** Listen on a Unix-domain socket file; a stale file left by a dead server is replaced. */
    public StreamServerBuilder bindUnix(Path path) {
        return bind(UnixDomainSocketAddress.of(path));
    }

    /** The listen backlog: connections the kernel queues before they are accepted. Default 1024. */
    public StreamServerBuilder backlog(int backlog) {
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be positive, got " + backlog);
        }
        this.backlog = backlog;
        return this;
    }

    /** SO_REUSEADDR: rebind at once after a restart, past TIME_WAIT. Default on. */
    public StreamServerBuilder reuseAddress(boolean on) {
        this.reuseAddress = on;
        return this;
    }

    /** SO_REUSEPORT: several processes bind the same port and the kernel spreads connections. Default off. */
    public StreamServerBuilder reusePort(boolean on) {
        this.reusePort = on;
        return this;
    }

    /** One handler shared by every connection; see {@link ConnectionHandler} on sharing. Replaces a protocol. */
    public StreamServerBuilder handler(ConnectionHandler handler) {
        this.handlers = new SharedHandler(Objects.requireNonNull(handler, "handler"));
        this.protocols = null;
        return this;
    }

    /**
     * A {@link Protocol} per connection, made by {@code factory}: runs under every model, the
     * blocking ones through an adapter that reads for it. Replaces a handler.
     */
    public StreamServerBuilder protocol(Supplier<? extends Protocol> factory) {
        this.protocols = Objects.requireNonNull(factory, "factory");
        ProtocolHandler adapter = new ProtocolHandler(factory);
        this.handlers = () -> adapter;
        return this;
    }

    /** A new handler per connection, as socketserver instantiates its handler class per request. */
    public StreamServerBuilder handlerFactory(Supplier<? extends ConnectionHandler> factory) {
        this.handlers = Objects.requireNonNull(factory, "factory");
        this.protocols = null;
        return this;
    }

    /** The concurrency model. Default {@link Model#VIRTUAL}. */
    public StreamServerBuilder model(Model model) {
        this.model = Objects.requireNonNull(model, "model");
        return this;
    }

    /**
     * At most this many open connections; what happens to the next is the {@link #whenFull(WhenFull)}
     * policy (by default it waits in the backlog). Default unlimited.
     */
    public StreamServerBuilder maxConnections(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxConnections must be positive, got " + max);
        }
        this.maxConnections = max;
        return this;
    }

    /**
     * Closes a connection on which no byte has moved, either way, for this long while it waits on
     * its peer, so slow or silent clients cannot hold slots; it is counted in
     * {@link ServerStats#timedOut()}. The same under every model: a blocking handler's read that
     * gets nothing, or write the peer does not take, for this long fails with a
     * {@link java.net.SocketTimeoutException} (it becomes each connection's read and write
     * timeout); a protocol's connection under the event-loop and async models is closed when
     * neither a read nor a write has moved a byte for this long, so a connection busy sending to a
     * peer that says nothing stays open. Default {@link Duration#ZERO}: none. A setting, not a
     * wait: zero means none, and a negative value is refused.
     *
     * @throws IllegalArgumentException when {@code timeout} is negative
     */
    public StreamServerBuilder idleTimeout(Duration timeout) {
        ConnectionSettings.checkTimeout(timeout, "idle timeout");
        settings.readTimeout = timeout;
        settings.writeTimeout = timeout;
        return this;
    }

    /**
     * How long {@link StreamServer#close()} lets handlers finish, the grace it gives
     * {@link StreamServer#shutdown(Duration)}. A setting, not a wait: zero means none (close then
     * closes their connections at once), and a negative value is refused. Default 5 s.
     *
     * @throws IllegalArgumentException when {@code grace} is negative
     */
    public StreamServerBuilder shutdownGrace(Duration grace) {
        this.shutdownGrace = ConnectionSettings.checkTimeout(grace, "shutdown grace");
        return this;
    }

    /** The framing for {@link Connection#readFrame()} and {@link Connection#sendFrame(byte[])}. Default raw, 64 KiB reads. */
    public StreamServerBuilder framing(Framing framing) {
        settings.framing = Objects.requireNonNull(framing, "framing");
        return this;
    }

    /**
     * A socket option for every accepted connection, such as {@code SO_RCVBUF},
     * {@code SO_SNDBUF} or {@code SO_KEEPALIVE}; options the transport lacks are skipped.
     * {@code TCP_NODELAY} is on by default.
     */
    public <T> StreamServerBuilder option(SocketOption<T> name, T value) {
        settings.option(name, value);
        return this;
    }

    /** The verify hook ({@code verify_request}): return false to refuse a peer before any handler runs. */
    public StreamServerBuilder verifyRequest(Predicate<? super SocketAddress> verify) {
        this.verify = Objects.requireNonNull(verify, "verify");
        return this;
    }

    /**
     * The error hook ({@code handle_error}): called with the peer and the exception when a
     * connection fails, and with a {@code null} peer when accepting fails. Default: a log line.
     */
    public StreamServerBuilder onError(BiConsumer<? super SocketAddress, ? super Throwable> onError) {
        this.onError = Objects.requireNonNull(onError, "onError");
        return this;
    }

    /** The timeout hook ({@code handle_timeout}): runs when {@link StreamServer#handleRequest(Duration)} times out. */
    public StreamServerBuilder onTimeout(Runnable onTimeout) {
        this.onTimeout = Objects.requireNonNull(onTimeout, "onTimeout");
        return this;
    }

    /** The service-actions hook ({@code service_actions}): runs on the accepting thread about every poll interval. */
    public StreamServerBuilder serviceActions(Runnable actions) {
        this.serviceActions = Objects.requireNonNull(actions, "actions");
        return this;
    }

    /**
     * How often {@link StreamServer#serveForever()} runs the service actions. A period, not a
     * wait: it must be positive. Default 500 ms.
     *
     * @throws IllegalArgumentException when {@code interval} is zero or negative
     */
    public StreamServerBuilder pollInterval(Duration interval) {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("poll interval must be positive, got " + interval);
        }
        this.pollInterval = interval;
        return this;
    }

    /**
     * The most input the server buffers for frames not yet complete, across all its
     * connections: what frame decoders hold for {@link FramingProtocol}s under every model,
     * and for {@link Connection#readFrame()}, {@link Connection#readLine()} and
     * {@link Connection#read(dev.spindle.codec.FrameDecoder)} under the blocking models. A
     * connection whose unfinished frame would take the total past it is closed with
     * {@link InputBudgetExceededException}, logged and counted as its error; the others go on.
     * However a connection ends (close, error, timeout, shutdown), its whole share returns to
     * the budget. {@link ServerStats#bufferedInput()} tells what is held now.
     *
     * <p>Default: a quarter of the maximum heap, {@code Runtime.getRuntime().maxMemory() / 4}.
     * A decoder's array grows by doubling, so it may be up to twice the bytes it holds: a
     * budget of half the heap could fill it.
     *
     * <h4>Pitfalls</h4>
     * The total charged never passes the budget, but memory may, by at most one read per
     * connection (up to 64 KiB): a decoder has copied a read's bytes when the budget learns of
     * them. A frame, once complete, is the handler's and leaves the budget. Buffers a
     * connection has whatever it is sent (a blocking connection's 16 KiB read buffer, up to
     * 64 KiB a decoder keeps for reuse, a transport's write buffer) are not charged: bound
     * those with {@link #maxConnections(int)} and the write buffer's water marks. A
     * {@link Protocol} that buffers input itself is not charged either.
     *
     * @throws IllegalArgumentException unless {@code bytes} is positive
     */
    public StreamServerBuilder inputBudget(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("inputBudget must be positive, got " + bytes
                    + "; it is the most input, in bytes, the server buffers for unfinished frames");
        }
        this.inputBudget = bytes;
        return this;
    }

    /** The server's name, used for its threads and log lines. Default {@code spindle-N}. */
    public StreamServerBuilder name(String name) {
        this.name = Objects.requireNonNull(name, "name");
        return this;
    }

    /**
     * TLS for every connection, such as {@code Tls.server(context)}, under every model. A
     * connection's handshake runs before its handler or protocol sees a byte; one that fails or
     * does not finish within the handshake timeout ends that connection only, counted and logged.
     *
     * @throws IllegalArgumentException when {@code tls} is a client's side
     */
    public StreamServerBuilder tls(Tls tls) {
        if (tls.isClient()) {
            throw new IllegalArgumentException("a server needs a server's Tls: Tls.server(context)");
        }
        this.security = tls.security();
        return this;
    }

    /**
     * What to do with a connection while the server holds all it may (its maximum, or all a pool
     * runs and queues). Default {@link WhenFull#WAIT}: leave it in the listen backlog until a
     * connection ends, as the seeds' Python servers do.
     */
    public StreamServerBuilder whenFull(WhenFull policy) {
        this.whenFull = Objects.requireNonNull(policy, "policy");
        return this;
    }

    /** One handler for every connection; it crosses to a process model's workers when it is serializable itself. */
    private record SharedHandler(ConnectionHandler handler) implements Supplier<ConnectionHandler>, java.io.Serializable {
        @Override
        public ConnectionHandler get() {
            return handler;
        }
    }

    /**
     * What a worker JVM of the process model needs to serve as this server would, listening on
     * {@code address}.
     *
     * @throws IllegalStateException naming what cannot cross to a worker, and what to do instead
     */
    WorkerSpec workerSpec(SocketAddress address, Model inner) {
        if (!(address instanceof InetSocketAddress inet)) {
            throw new IllegalArgumentException("the process model serves TCP only: its workers share one port; "
                    + "got " + address);
        }
        if (security != ConnectionSecurity.PLAIN) {
            throw new IllegalStateException("TLS is not yet available under the process model; choose another model");
        }
        if (verify != null || onError != null || onTimeout != null || serviceActions != null) {
            throw new IllegalStateException("the verify, error, timeout and service-actions hooks run in this JVM, "
                    + "and the process model serves in worker JVMs: leave them out (each worker logs its own failures)");
        }
        if (settings.framing != ConnectionSettings.DEFAULT_FRAMING) {
            throw new IllegalStateException("the process model does not carry a framing to its workers; give the "
                    + "framing to the protocol (FramingProtocol) or the handler instead");
        }
        if (!settings.options.keySet().equals(java.util.Set.of(StandardSocketOptions.TCP_NODELAY))) {
            throw new IllegalStateException("the process model does not carry socket options to its workers; "
                    + "got " + settings.options.keySet());
        }
        Supplier<?> factory = protocols != null ? protocols : handlers;
        try (java.io.ObjectOutputStream probe = new java.io.ObjectOutputStream(java.io.OutputStream.nullOutputStream())) {
            probe.writeObject(factory);
        } catch (IOException e) {
            throw new IllegalStateException("the process model runs the " + (protocols != null ? "protocol" : "handler")
                    + " in worker JVMs, so its factory must be Serializable (" + e + "); use a serializable class, "
                    + "or a cast lambda: (Supplier<Protocol> & Serializable) MyProtocol::new", e);
        }
        return new WorkerSpec(inet.getAddress().getHostAddress(), inet.getPort(), backlog, inner.name(), inner.threads(),
                inner.queueCapacity(), factory, protocols != null, settings.readTimeout, maxConnections, whenFull,
                inputBudget, shutdownGrace);
    }

    /**
     * Binds and listens. Connections wait in the backlog until the server is started.
     *
     * @throws IllegalStateException when no handler was given
     * @throws BindException when the server cannot listen there (the address is in use or not
     *     local, a Unix socket's directory is missing); the message names the address and what to do
     * @throws java.net.UnknownHostException when the host name does not resolve
     * @throws IOException when the socket cannot be opened
     */
    public StreamServer open() throws IOException {
        if (handlers == null) {
            throw new IllegalStateException("no handler: call handler(...), handlerFactory(...) or protocol(...) before open()");
        }
        if (model.nonBlocking() && protocols == null) {
            throw new IllegalStateException("the " + model + " model runs a Protocol, not a blocking "
                    + "ConnectionHandler: give protocol(...), or choose a blocking model");
        }
        SocketAddress address = this.address;
        if (address instanceof InetSocketAddress inet && inet.isUnresolved()) {
            address = new InetSocketAddress(InetAddress.getByName(inet.getHostString()), inet.getPort());
        }
        String serverName = name != null ? name : StreamServer.nextName();
        ServerLog log = new ServerLog();
        ConnectionRegistry registry = new ConnectionRegistry(serverName, model, maxConnections, whenFull, verify,
                log, onError);
        ServerContext context = new ServerContext(serverName, registry, settings.copy(), handlers, protocols,
                new InputBudget(inputBudget > 0 ? inputBudget : InputBudget.defaultLimit()), log, security, this);
        Acceptor acceptor = model.listen(new ListenSpec(address, backlog, reuseAddress, reusePort), context);
        return new StreamServer(context, acceptor, model, shutdownGrace, pollInterval.toNanos(), onTimeout,
                serviceActions);
    }
}
