package dev.spindle.process.wire;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A hub on a TCP address, such as a remote manager's: whoever dials it must hold the key its
 * server was given, which this process learns from {@link #remember} (the connecting side) or from
 * serving there (the serving side). The key itself never crosses: the handshake proves it.
 *
 * <p>A hub announces itself with a random {@code instance} after the port ({@code tcp:h:p#id}):
 * two hubs that would write the same host and port (two servers bound to every interface on
 * different machines, which both announce loopback; a server restarted on its port) are never
 * taken for one another. An address a client dialled has no instance.
 */
record TcpHubAddress(String host, int port, String instance) implements HubAddress {

    static final String SCHEME = "tcp:";
    private static final Map<String, byte[]> KEYS = new ConcurrentHashMap<>();
    /** Where to dial a hub that announces itself under another name than the one a client used. */
    private static final Map<String, TcpHubAddress> ROUTES = new ConcurrentHashMap<>();

    /** The address by its IP when resolved (so that "localhost" and 127.0.0.1 are one hub), else its name. */
    static TcpHubAddress of(InetSocketAddress address) {
        String host = address.isUnresolved() ? address.getHostString() : address.getAddress().getHostAddress();
        return new TcpHubAddress(host, address.getPort(), "");
    }

    /** The address a new hub at {@code address} announces: with an instance of its own. */
    static TcpHubAddress announcing(InetSocketAddress address) {
        byte[] random = new byte[12];
        new java.security.SecureRandom().nextBytes(random);
        TcpHubAddress dialled = of(address);
        return new TcpHubAddress(dialled.host, dialled.port, java.util.HexFormat.of().formatHex(random));
    }

    /** The address written as {@code text}, or the one a client reached it by ({@link #route}). */
    static TcpHubAddress parse(String text) {
        TcpHubAddress routed = ROUTES.get(text);
        return routed != null ? routed : parseText(text);
    }

    private static TcpHubAddress parseText(String text) {
        String rest = text.substring(SCHEME.length());
        int hash = rest.indexOf('#');
        String instance = hash < 0 ? "" : rest.substring(hash + 1);
        rest = hash < 0 ? rest : rest.substring(0, hash);
        int colon = rest.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("not a TCP hub address: " + text);
        }
        return new TcpHubAddress(rest.substring(0, colon), Integer.parseInt(rest.substring(colon + 1)), instance);
    }

    /** From now on, dials to {@code address} prove {@code key}. */
    static void remember(TcpHubAddress address, byte[] key) {
        KEYS.put(address.text(), key.clone());
    }

    /** Forgets the key of a hub that has closed, so that later processes of this run are not given it. */
    static void forget(TcpHubAddress address) {
        KEYS.remove(address.text());
    }

    /**
     * From now on, handles that name the hub {@code announced} (as its server wrote its own
     * address) dial {@code dialled} instead: the address this process reached it by, which is the
     * one that works from here (a server bound to every interface cannot know it).
     */
    static void route(String announced, TcpHubAddress dialled) {
        if (!announced.equals(dialled.text())) {
            ROUTES.put(announced, dialled);
        }
    }

    static RemoteHubKeys known() {
        Map<String, String> routes = new java.util.HashMap<>();
        ROUTES.forEach((announced, dialled) -> routes.put(announced, dialled.text()));
        return RemoteHubKeys.of(KEYS, routes);
    }

    static void adopt(RemoteHubKeys known) {
        known.keys().forEach((address, key) -> KEYS.put(address, key.clone()));
        known.routes().forEach((announced, dialled) -> ROUTES.put(announced, parseText(dialled)));
    }

    @Override
    public String text() {
        return SCHEME + host + ":" + port + (instance.isEmpty() ? "" : "#" + instance);
    }

    @Override
    public byte[] key() throws IOException {
        byte[] key = KEYS.get(text());
        if (key == null) {
            throw new java.net.ConnectException("this process has no key for " + host + ":" + port
                    + "; connect to it first (Manager.connect with its address and key)");
        }
        return key;
    }

    /** How long a TCP hub's peer may stay silent, in seconds, before the kernel probes it. */
    static final int KEEPALIVE_IDLE_SECONDS = 30;
    private static final int KEEPALIVE_INTERVAL_SECONDS = 10;
    private static final int KEEPALIVE_PROBES = 3;

    /**
     * Options for both ends of a TCP hub connection: no Nagle delay, and keep-alive probes, so that
     * a peer whose machine vanished (a half-open connection, which TCP alone never notices) ends
     * the connection within about a minute: its calls fail and what it held (a lock) is freed.
     */
    static void configure(SocketChannel socket) throws IOException {
        socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
        socket.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        try {
            socket.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE, KEEPALIVE_IDLE_SECONDS);
            socket.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL, KEEPALIVE_INTERVAL_SECONDS);
            socket.setOption(jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT, KEEPALIVE_PROBES);
        } catch (UnsupportedOperationException e) {
            // The platform's defaults (hours) apply; the connection still ends, later.
        }
    }

    @Override
    public SocketChannel connect(Deadline deadline) throws IOException {
        SocketChannel socket = SocketChannel.open();
        try (Selector selector = Selector.open()) {
            socket.configureBlocking(false);
            configure(socket);
            if (!socket.connect(new InetSocketAddress(host, port))) {
                socket.register(selector, SelectionKey.OP_CONNECT);
                while (!socket.finishConnect()) {
                    long left = deadline.remainingNanos();
                    if (left <= 0) {
                        throw new SocketTimeoutException("timed out connecting to " + host + ":" + port);
                    }
                    selector.select(Math.max(1, left / 1_000_000));
                    if (Thread.currentThread().isInterrupted()) {
                        throw new InterruptedIOException("interrupted while connecting to " + host + ":" + port);
                    }
                }
            }
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }
}
