package dev.spindle.net;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * TLS settings for a server ({@link StreamServerBuilder#tls(Tls)}) or a client
 * ({@link Client.Builder#tls(Tls)}): Python's {@code ssl.SSLContext} with {@code wrap_socket}. The
 * keys and trust come from a JDK {@link SSLContext}; this class says how each connection uses it.
 * TLS runs under every model: through the socket for blocking handlers, as a protocol layer
 * ({@link SSLEngine}) under the event-loop and async models.
 *
 * <pre>{@code
 * StreamServer.builder().tls(Tls.server(serverContext)).handler(...).open();
 * Client.builder().tls(Tls.client(trustingContext)).build().connect(address);
 * }</pre>
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>{@link #protocols(String...)}</td><td>TLS 1.3 and TLS 1.2</td></tr>
 *   <tr><td>{@link #applicationProtocols(String...)} (ALPN)</td><td>none offered</td></tr>
 *   <tr><td>{@link #hostnameVerification(boolean)} (clients)</td><td>on: the server's certificate must
 *       name the host connected to</td></tr>
 *   <tr><td>{@link #handshakeTimeout(Duration)}</td><td>10 s</td></tr>
 * </table>
 *
 * <p>Immutable; each setter returns a new instance.
 *
 * <h2>Pitfalls</h2>
 * A client that connects by IP address verifies that address against the certificate's IP
 * subject alternative names; one made for {@code localhost} does not name {@code 127.0.0.1}.
 * A failed or stalled handshake ends that connection only: counted in
 * {@link ServerStats#errors()} or {@link ServerStats#timedOut()} and logged.
 */
public final class Tls {

    /** TLS 1.3 and 1.2: what the JDK and current peers agree on; older versions are off in the JDK. */
    private static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    private static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private final SSLContext context;
    private final boolean client;
    private final List<String> protocols;
    private final List<String> applicationProtocols;
    private final boolean verifyHostname;
    private final Duration handshakeTimeout;

    private Tls(SSLContext context, boolean client, List<String> protocols, List<String> applicationProtocols,
                boolean verifyHostname, Duration handshakeTimeout) {
        this.context = context;
        this.client = client;
        this.protocols = protocols;
        this.applicationProtocols = applicationProtocols;
        this.verifyHostname = verifyHostname;
        this.handshakeTimeout = handshakeTimeout;
    }

    /** A server's side, with the key and certificate of {@code context}'s key managers. */
    public static Tls server(SSLContext context) {
        return new Tls(Objects.requireNonNull(context, "context"), false, DEFAULT_PROTOCOLS, List.of(), false,
                DEFAULT_HANDSHAKE_TIMEOUT);
    }

    /** A client's side, trusting what {@code context}'s trust managers trust, verifying host names. */
    public static Tls client(SSLContext context) {
        return new Tls(Objects.requireNonNull(context, "context"), true, DEFAULT_PROTOCOLS, List.of(), true,
                DEFAULT_HANDSHAKE_TIMEOUT);
    }

    /**
     * A client's side trusting the JDK's certificate authorities ({@link SSLContext#getDefault()}).
     *
     * @throws IllegalStateException when the JDK has no default context
     */
    public static Tls client() {
        try {
            return client(SSLContext.getDefault());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no default TLS context", e);
        }
    }

    /**
     * The TLS versions to allow, such as {@code "TLSv1.3"}.
     *
     * @throws IllegalArgumentException when none is given, or one the JDK does not support
     */
    public Tls protocols(String... versions) {
        List<String> chosen = List.of(versions);
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("give at least one TLS version, such as TLSv1.3");
        }
        List<String> supported = Arrays.asList(context.getSupportedSSLParameters().getProtocols());
        for (String version : chosen) {
            if (!supported.contains(version)) {
                throw new IllegalArgumentException("TLS version " + version + " is not supported; choose from " + supported);
            }
        }
        return new Tls(context, client, chosen, applicationProtocols, verifyHostname, handshakeTimeout);
    }

    /**
     * The application protocols to offer (a client) or accept (a server) through ALPN, in order
     * of preference, such as {@code "h2", "http/1.1"}; a connection tells which was chosen with
     * {@link Connection#applicationProtocol()} or {@link Transport#applicationProtocol()}.
     */
    public Tls applicationProtocols(String... names) {
        return new Tls(context, client, protocols, List.of(names), verifyHostname, handshakeTimeout);
    }

    /**
     * Whether a client checks that the server's certificate names the host it connected to
     * (HTTPS's rule, RFC 2818). On by default; turn it off only for tests and trusted networks.
     *
     * @throws IllegalStateException on a server's side, which has no host name to check
     */
    public Tls hostnameVerification(boolean on) {
        if (!client) {
            throw new IllegalStateException("hostname verification is a client's check; this is a server's Tls");
        }
        return new Tls(context, client, protocols, applicationProtocols, on, handshakeTimeout);
    }

    /**
     * How long a handshake may take before the connection is closed as timed out. A setting, not
     * a wait: it must be positive.
     *
     * @throws IllegalArgumentException when {@code timeout} is zero or negative
     */
    public Tls handshakeTimeout(Duration timeout) {
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("the handshake timeout must be positive, got " + timeout);
        }
        return new Tls(context, client, protocols, applicationProtocols, verifyHostname, timeout);
    }

    /** Whether this is a client's side. */
    public boolean isClient() {
        return client;
    }

    /** An engine for one connection to {@code peer} (its host name, for a client: SNI and verification). */
    SSLEngine newEngine(SocketAddress peer) {
        SSLEngine engine;
        if (client && peer instanceof InetSocketAddress inet) {
            engine = context.createSSLEngine(inet.getHostString(), inet.getPort());
        } else {
            engine = context.createSSLEngine();
        }
        engine.setUseClientMode(client);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(protocols.toArray(String[]::new));
        if (client && verifyHostname) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (!applicationProtocols.isEmpty()) {
            parameters.setApplicationProtocols(applicationProtocols.toArray(String[]::new));
        }
        engine.setSSLParameters(parameters);
        return engine;
    }

    /** How connections use it. */
    ConnectionSecurity security() {
        return new ConnectionSecurity() {
            @Override
            public StreamChannel channel(SocketChannel socket, SocketAddress peer) {
                return new TlsStreamChannel(socket, newEngine(peer));
            }

            @Override
            public Protocol protocol(Protocol user, SocketAddress peer) {
                return new TlsProtocol(newEngine(peer), user, handshakeTimeout);
            }

            @Override
            public Duration handshakeTimeout() {
                return handshakeTimeout;
            }
        };
    }

    @Override
    public String toString() {
        return (client ? "TLS client " : "TLS server ") + protocols
                + (applicationProtocols.isEmpty() ? "" : " ALPN " + applicationProtocols);
    }
}
