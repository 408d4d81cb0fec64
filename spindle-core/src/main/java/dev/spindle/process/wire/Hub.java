package dev.spindle.process.wire;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where other processes of the run reach this one: one Unix-domain listener in the run's
 * directory, started on first use, with one accepting thread. {@link Dialer} is the other half.
 * Children connect back here, so does every process that uses a pipe this process opened, and
 * every process that calls an object this one serves.
 *
 * <p>Each connection gets a virtual thread that authenticates it ({@link dev.spindle.process.Handshake},
 * bounded by {@link #HELLO_TIMEOUT_NANOS}) and reads its {@link Hello}, the first envelope, which
 * says what the connection is for. The hello goes to the handler {@linkplain #handle registered}
 * for its kind: a child's link goes to whoever {@linkplain #expect expects} its token, a
 * {@link Hello#PEER} becomes a {@link Peer}, and pipe links go to the pipe layer. A connection that
 * fails the handshake, or whose hello names nothing this process has, is closed without anything
 * being decoded, and the listener goes on: an idle or garbage connection costs one virtual thread
 * until its handshake times out, and never delays another.
 *
 * <p>A process may also {@linkplain #listen listen on TCP}, with a key of its own, for processes of
 * other runs and machines: a remote manager. Such a hub takes only {@link Hello#PEER} connections,
 * whose target 0 is the hub's home object; objects served while it is
 * {@linkplain #announcing announced} carry its address, so their handles reach them there.
 */
public final class Hub {

    public static final long HELLO_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    /**
     * How long a connection to a TCP hub has to prove the key and say hello: less than a run hub's,
     * since anyone who can reach the port can open one.
     */
    static final long TCP_HELLO_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
    /**
     * How many connections a TCP hub authenticates at once; a connection beyond them is closed as it
     * is accepted, so that connections that never prove the key cannot exhaust memory or threads.
     */
    static final int TCP_HANDSHAKES_AT_ONCE = 64;

    /** What a hub does with a connection whose hello has a given kind. */
    @FunctionalInterface
    public interface HelloHandler {
        /**
         * Takes the authenticated {@code channel}.
         *
         * @return false when the hello names nothing here: the hub then closes the channel
         */
        boolean accept(MessageChannel channel, Hello hello, Deadline deadline) throws IOException;
    }

    private static final System.Logger LOG = System.getLogger(Hub.class.getName());
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Map<Byte, HelloHandler> HANDLERS = new ConcurrentHashMap<>();
    private static Hub instance;

    /** The text of every address this process's hubs listen on: what makes a handle local here. */
    private static final Set<String> OWN = ConcurrentHashMap.newKeySet();
    /** Which hub an object served by this thread is announced at, when not the run's. */
    private static final ThreadLocal<Hub> ANNOUNCING = new ThreadLocal<>();

    private final HubAddress where;
    private final byte[] key;
    private final ServerSocketChannel listener;
    /** Whether connections of every kind are taken, or only {@link Hello#PEER}s (a TCP hub). */
    private final boolean runHub;
    private final Map<Long, CompletableFuture<MessageChannel>> expected = new ConcurrentHashMap<>();
    private final Set<Peer> peers = ConcurrentHashMap.newKeySet();
    /** What target 0 names on a TCP hub's connections: where a remote manager's clients start. */
    private final ServedObject home;
    /** Handshakes in progress on a TCP hub; null on the run's hub, which only this user can reach. */
    private final java.util.concurrent.Semaphore handshakes;

    private Hub(Run run) throws IOException {
        run.holdDirectory();
        Path path = run.newSocketPath("hub");
        this.where = new UnixHubAddress(path);
        this.key = run.key();
        this.runHub = true;
        this.home = null;
        this.handshakes = null;
        this.listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(path), 256);
        OWN.add(where.text());
        HANDLERS.put(Hello.CHILD, (channel, hello, deadline) -> {
            CompletableFuture<MessageChannel> future = expected.get(hello.value());
            if (future != null && future.complete(channel)) {
                return true;
            }
            LOG.log(System.Logger.Level.WARNING, "a child connected with token " + hello.value()
                    + ", which no one expects; closed it");
            return false;
        });
        startAccepting("spindle-process-hub");
        // Closing wakes the accepting thread out of native code, which HotSpot's exit would wait 300 ms for.
        ExitSequence.at(ExitSequence.Step.STOP_HUB, () -> {
            try {
                listener.close();
            } catch (IOException e) {
                // Exiting anyway.
            }
        });
    }

    /** This process's hub, started on first use. */
    public static Hub get() throws IOException {
        LOCK.lock();
        try {
            if (instance == null) {
                instance = new Hub(Run.current());
            }
            return instance;
        } finally {
            LOCK.unlock();
        }
    }

    private Hub(ServerSocketChannel listener, TcpHubAddress where, byte[] key, ServedObject home) {
        this.home = home;
        this.where = where;
        this.key = key.clone();
        this.runHub = false;
        this.listener = listener;
        this.handshakes = new java.util.concurrent.Semaphore(TCP_HANDSHAKES_AT_ONCE);
        OWN.add(where.text());
        TcpHubAddress.remember(where, key);
        startAccepting("spindle-tcp-hub-" + where.port());
    }

    /**
     * A hub on TCP {@code address} (port 0 picks a free one) that takes only calls to served
     * objects ({@link Hello#PEER}), from processes that prove {@code key}: a remote manager's.
     * Objects served while {@linkplain #announcing announcing} it are reachable there, and
     * {@code home} as target 0 of every connection ({@link ObjectHandle#homeOf}).
     *
     * @throws IOException if the address cannot be bound
     */
    public static Hub listen(java.net.InetSocketAddress address, byte[] key, ServedObject home) throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        try {
            listener.bind(address, 256);
            java.net.InetSocketAddress bound = (java.net.InetSocketAddress) listener.getLocalAddress();
            // A hub on every interface announces loopback: its clients route to where they dialled.
            java.net.InetSocketAddress announced = bound.getAddress().isAnyLocalAddress()
                    ? new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), bound.getPort()) : bound;
            return new Hub(listener, TcpHubAddress.announcing(announced), key, home);
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    /**
     * Dials the TCP hub at {@code address} with {@code key} on a new connection, and once the hub
     * has accepted the key, remembers it and makes this the connection handles use from now on
     * (connections made before go on for those that have them). A wrong key fails here, whatever
     * connection to the hub this process already has.
     *
     * @throws dev.spindle.process.AuthenticationException if the hub holds another key
     */
    public static void connect(java.net.InetSocketAddress address, byte[] key) throws IOException {
        TcpHubAddress hub = TcpHubAddress.of(address);
        MessageChannel channel = Dialer.dial(hub, key, Hello.of(Hello.PEER, 0, 0),
                Deadline.afterNanos(HELLO_TIMEOUT_NANOS));
        TcpHubAddress.remember(hub, key);
        Peers.replace(hub.text(), Peer.start(channel, 0, null));
    }

    /**
     * Handles that name the TCP hub {@code announced} (as {@link #addressText} wrote it in its
     * process) are dialled at {@code dialled} from now on, with the key remembered for it.
     */
    public static void route(String announced, java.net.InetSocketAddress dialled) {
        TcpHubAddress.route(announced, TcpHubAddress.of(dialled));
    }

    /** Runs {@code creation} so that objects it serves are announced at this hub, not the run's. */
    public <T> T announcing(java.util.concurrent.Callable<T> creation) throws Exception {
        Hub before = ANNOUNCING.get();
        ANNOUNCING.set(this);
        try {
            return creation.call();
        } finally {
            ANNOUNCING.set(before);
        }
    }

    /** The hub objects served now are announced at: the one set by {@link #announcing}, or the run's. */
    static Hub announced() throws IOException {
        Hub hub = ANNOUNCING.get();
        return hub != null ? hub : get();
    }

    /** Whether a hub of this process listens at {@code address} (a handle's text form). */
    static boolean isOwn(String address) {
        return OWN.contains(address);
    }

    /** The port of a TCP hub. */
    public int port() {
        return ((TcpHubAddress) where).port();
    }

    /** Stops a TCP hub: no new connection, and the connections it took end. */
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // Closing anyway.
        }
        OWN.remove(where.text());
        if (where instanceof TcpHubAddress tcp) {
            TcpHubAddress.forget(tcp);
        }
        peers.forEach(Peer::close);
    }

    /** Hands connections whose hello is of {@code kind} to {@code handler}, from now on. */
    public static void handle(byte kind, HelloHandler handler) {
        HANDLERS.put(kind, handler);
    }

    /** The run hub's socket path. */
    public Path address() {
        return ((UnixHubAddress) where).path();
    }

    /** The run this process belongs to. */
    public Run run() {
        return Run.current();
    }

    /** Where this hub listens, as a handle names it. */
    public String addressText() {
        return where.text();
    }

    /** The channel of the child launched with {@code token}, once it has connected and authenticated. */
    public CompletableFuture<MessageChannel> expect(long token) {
        CompletableFuture<MessageChannel> future = new CompletableFuture<>();
        expected.put(token, future);
        future.whenComplete((channel, error) -> expected.remove(token));
        return future;
    }

    private void startAccepting(String name) {
        Thread acceptor = new Thread(this::acceptLoop, name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void acceptLoop() {
        while (listener.isOpen()) {
            try {
                SocketChannel socket = listener.accept();
                if (!admit(socket)) {
                    continue;
                }
                Thread.ofVirtual().name("spindle-process-hello").start(() -> {
                    try {
                        greet(socket);
                    } finally {
                        if (handshakes != null) {
                            handshakes.release();
                        }
                    }
                });
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING,
                        "the process hub could not accept a connection (" + e.getMessage() + "); retrying");
                pause();
            }
        }
    }

    /**
     * On a TCP hub: takes a handshake permit and sets the socket's options, or closes the socket at
     * once (all permits taken, or options refused). A run hub admits every connection.
     */
    private boolean admit(SocketChannel socket) {
        if (handshakes == null) {
            return true;
        }
        if (!handshakes.tryAcquire()) {
            LOG.log(System.Logger.Level.DEBUG, "a TCP hub refused a connection: " + TCP_HANDSHAKES_AT_ONCE
                    + " others are proving the key");
            closeQuietly(null, socket);
            return false;
        }
        try {
            TcpHubAddress.configure(socket);
            return true;
        } catch (IOException | RuntimeException e) {
            handshakes.release();
            closeQuietly(null, socket);
            return false;
        }
    }

    private void greet(SocketChannel socket) {
        MessageChannel channel = null;
        boolean kept = false;
        try {
            channel = new MessageChannel(socket);
            Deadline deadline = Deadline.afterNanos(runHub ? HELLO_TIMEOUT_NANOS : TCP_HELLO_TIMEOUT_NANOS);
            channel.authenticate(key, true, deadline);
            Envelope first = Envelope.decode(channel.receive(deadline));
            if (first.kind() != Envelope.ONE_WAY || first.target() != 0) {
                LOG.log(System.Logger.Level.WARNING, "a process opened a connection without a hello; closed it");
            } else {
                Hello hello = Hello.decode(first.op(), first.payload());
                if (hello.kind() == Hello.PEER) {
                    Peer peer = Peer.start(channel, hello.pid(), home);
                    if (!runHub) {
                        peers.add(peer);
                        peer.onEnd(() -> peers.remove(peer));
                        if (!listener.isOpen()) {
                            peer.close(); // greeted while the hub closed: it would have missed this one
                        }
                    }
                    kept = true;
                    return;
                }
                HelloHandler handler = runHub ? HANDLERS.get(hello.kind()) : null;
                if (handler == null) {
                    LOG.log(System.Logger.Level.WARNING, "a process sent a hello of kind " + hello.kind()
                            + ", which this process does not serve; closed it");
                } else if (handler.accept(channel, hello, deadline)) {
                    kept = true;
                    return;
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "refused a connection to the process hub: " + e.getMessage());
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "refused a connection to the process hub", e);
        } finally {
            if (!kept) {
                closeQuietly(channel, socket);
            }
        }
    }

    private static void closeQuietly(MessageChannel channel, SocketChannel socket) {
        try {
            if (channel != null) {
                channel.close();
            } else {
                socket.close();
            }
        } catch (IOException e) {
            // Already refused; nothing more to do with it.
        }
    }

    /** After an accept failure such as running out of descriptors: back off rather than spin. */
    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
