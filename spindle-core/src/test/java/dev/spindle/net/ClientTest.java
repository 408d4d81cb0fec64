package dev.spindle.net;

import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientTest {

    /** A port nothing listens on: bound, then released. */
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void connectTriesEveryResolvedAddressUntilOneAnswers() throws Exception {
        try (StreamServer server = StreamServer.builder().bind("127.0.0.1", 0).handler(Handlers.ECHO).open()) {
            server.start();
            InetAddress[] addresses = {InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.1")};
            try (Connection c = Client.builder().build().connect(addresses, server.port())) {
                c.sendAll("hi".getBytes(StandardCharsets.UTF_8));
                assertThat(c.recvExactly(2)).isEqualTo("hi".getBytes(StandardCharsets.UTF_8));
                assertThat(c.peerAddress().toString()).contains("127.0.0.1");
            }
        }
    }

    /** create_connection's walk over getaddrinfo: an IPv4 address that refuses, then the IPv6 loopback that answers. */
    @Test
    void connectFallsFromIpv4ToIpv6() throws Exception {
        java.net.InetAddress ipv6 = InetAddress.getByName("::1");
        org.junit.jupiter.api.Assumptions.assumeTrue(ipv6Loopback(ipv6), "IPv6 loopback is not configured here");
        try (StreamServer server = StreamServer.builder().bind("::1", 0).handler(Handlers.ECHO).open()) {
            server.start();
            InetAddress[] addresses = {InetAddress.getByName("127.0.0.1"), ipv6};
            try (Connection c = Client.builder().build().connect(addresses, server.port())) {
                c.sendAll("v6".getBytes(StandardCharsets.UTF_8));
                assertThat(c.recvExactly(2)).isEqualTo("v6".getBytes(StandardCharsets.UTF_8));
                assertThat(((java.net.InetSocketAddress) c.peerAddress()).getAddress()).isEqualTo(ipv6);
            }
        }
    }

    private static boolean ipv6Loopback(InetAddress ipv6) {
        try (ServerSocket probe = new ServerSocket(0, 1, ipv6)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void whenEveryAddressFailsTheErrorNamesEachAttempt() throws Exception {
        int port = closedPort();
        InetAddress[] addresses = {InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.1")};
        assertThatThrownBy(() -> Client.builder().build().connect(addresses, port))
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("127.0.0.2:" + port)
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement()
                        .satisfies(s -> assertThat(s).hasMessageContaining("127.0.0.1:" + port)));
    }

    @Test
    void tryConnectReportsRefusalAsAValue() throws Exception {
        ConnectResult result = Client.tryConnect("127.0.0.1", closedPort(), Duration.ofSeconds(5));
        assertThat(result.isConnected()).isFalse();
        assertThat(result).isInstanceOfSatisfying(ConnectResult.Failed.class,
                f -> assertThat(f.error()).isInstanceOf(ConnectException.class));
    }

    @Test
    void tryConnectReturnsTheConnectionWhenTheServerAnswers() throws Exception {
        try (StreamServer server = StreamServer.builder().handler(Handlers.ECHO).open()) {
            server.start();
            ConnectResult result = Client.tryConnect("127.0.0.1", server.port(), Duration.ofSeconds(5));
            assertThat(result).isInstanceOfSatisfying(ConnectResult.Connected.class, c -> c.connection().close());
        }
    }

    @Test
    void unknownHostFailsWithTheResolverError() {
        assertThat(Client.tryConnect("no-such-host.invalid", 80, Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(ConnectResult.Failed.class,
                        f -> assertThat(f.error()).isInstanceOf(java.net.UnknownHostException.class));
    }

    @Test
    void socketOptionsAreAppliedAndReadable() throws Exception {
        List<SocketAddress> peersSeenByTheServer = new CopyOnWriteArrayList<>();
        try (StreamServer server = StreamServer.builder().handler(connection -> {
            peersSeenByTheServer.add(connection.peerAddress());
            Handlers.ECHO.handle(connection);
        }).open()) {
            server.start();
            try (Connection c = Client.builder().option(java.net.StandardSocketOptions.TCP_NODELAY, true)
                    .option(java.net.StandardSocketOptions.SO_KEEPALIVE, true).build()
                    .connect(server.localAddress())) {
                assertThat(c.option(java.net.StandardSocketOptions.TCP_NODELAY)).isTrue();
                assertThat(c.option(java.net.StandardSocketOptions.SO_KEEPALIVE)).isTrue();
                c.option(java.net.StandardSocketOptions.TCP_NODELAY, false);
                assertThat(c.option(java.net.StandardSocketOptions.TCP_NODELAY)).isFalse();
                // The kernel may round a buffer size up (Linux doubles it), never below what was asked.
                c.option(java.net.StandardSocketOptions.SO_RCVBUF, 8 * 1024);
                int small = c.option(java.net.StandardSocketOptions.SO_RCVBUF);
                c.option(java.net.StandardSocketOptions.SO_RCVBUF, 64 * 1024);
                int large = c.option(java.net.StandardSocketOptions.SO_RCVBUF);
                assertThat(small).isGreaterThanOrEqualTo(8 * 1024);
                assertThat(large).isGreaterThanOrEqualTo(64 * 1024).isGreaterThan(small);
                c.sendAll(new byte[] {1});
                assertThat(c.recvExactly(1)).containsExactly(1);
                assertThat(c.localAddress()).as("the client's end, as the server sees its peer")
                        .isEqualTo(peersSeenByTheServer.get(0));
                assertThat(c.peerAddress()).isEqualTo(server.localAddress());
            }
        }
    }
}
