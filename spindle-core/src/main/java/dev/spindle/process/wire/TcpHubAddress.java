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
 */
record TcpHubAddress(String host, int port) implements HubAddress {

    static final String SCHEME = "tcp:";
    private static final Map<String, byte[]> KEYS = new ConcurrentHashMap<>();
    /** Where to dial a hub that announces itself under another name than the one a client used. */
    private static final Map<String, TcpHubAddress> ROUTES = new ConcurrentHashMap<>();

    /** The address by its IP when resolved (so that "localhost" and 127.0.0.1 are one hub), else its name. */
    static TcpHubAddress of(InetSocketAddress address) {
        String host = address.isUnresolved() ? address.getHostString() : address.getAddress().getHostAddress();
        return new TcpHubAddress(host, address.getPort());
    }

    /** The address written as {@code text}, or the one a client reached it by ({@link #route}). */
    static TcpHubAddress parse(String text) {
        TcpHubAddress routed = ROUTES.get(text);
        return routed != null ? routed : parseText(text);
    }

    private static TcpHubAddress parseText(String text) {
        String rest = text.substring(SCHEME.length());
        int colon = rest.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("not a TCP hub address: " + text);
        }
        return new TcpHubAddress(rest.substring(0, colon), Integer.parseInt(rest.substring(colon + 1)));
    }

    /** From now on, dials to {@code address} prove {@code key}. */
    static void remember(TcpHubAddress address, byte[] key) {
        KEYS.put(address.text(), key.clone());
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
        return SCHEME + host + ":" + port;
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

    @Override
    public SocketChannel connect(Deadline deadline) throws IOException {
        SocketChannel socket = SocketChannel.open();
        try (Selector selector = Selector.open()) {
            socket.configureBlocking(false);
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
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
