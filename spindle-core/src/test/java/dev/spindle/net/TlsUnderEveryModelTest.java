package dev.spindle.net;

import dev.spindle.testing.Await;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TLS with real handshakes and certificates made by keytool, under every model. */
class TlsUnderEveryModelTest {

    @TempDir
    static Path dir;
    /** A certificate for localhost and 127.0.0.1. */
    static TlsFixtures local;
    /** A certificate for another name only. */
    static TlsFixtures other;

    @BeforeAll
    static void certificates() throws Exception {
        local = TlsFixtures.make(dir, "local.p12", "dns:localhost,ip:127.0.0.1");
        other = TlsFixtures.make(dir, "other.p12", "dns:other.example");
    }

    static Stream<Arguments> modelsAndVersions() {
        return Models.every().flatMap(model -> TlsFixtures.versions().stream().map(v -> Arguments.of(model, v)));
    }

    private static StreamServer tlsEcho(Model model, Tls tls) throws IOException {
        StreamServer server = StreamServer.builder().model(model).tls(tls).protocol(EchoProtocol::new).open();
        server.start();
        return server;
    }

    private static Client client(Tls tls) {
        return Client.builder().tls(tls).readTimeout(Duration.ofSeconds(20)).writeTimeout(Duration.ofSeconds(20)).build();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modelsAndVersions")
    void echoesThroughARealHandshake(Model model, String version) throws Exception {
        try (StreamServer server = tlsEcho(model, Tls.server(local.serverContext()).protocols(version));
             Connection c = client(Tls.client(local.clientContext())).connect("127.0.0.1", server.port())) {
            c.sendAll(bytes("secret"));
            assertThat(c.recvExactly(6)).isEqualTo(bytes("secret"));
            assertThat(c.tlsSession().getProtocol()).isEqualTo(version);
            byte[] large = new byte[1 << 20];
            new Random(5).nextBytes(large);
            c.sendAll(large);
            assertThat(c.recvExactly(large.length)).as("a mebibyte over many records").isEqualTo(large);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.spindle.net.Models#blocking")
    void aBlockingHandlerReadsAndWritesPlainBytes(Model model) throws Exception {
        try (StreamServer server = StreamServer.builder().model(model).tls(Tls.server(local.serverContext()))
                .handler(Handlers.ECHO).open()) {
            server.start();
            try (Connection c = client(Tls.client(local.clientContext())).connect("localhost", server.port())) {
                c.sendAll(bytes("handled"));
                assertThat(c.recvExactly(7)).isEqualTo(bytes("handled"));
                c.shutdownOutput();
                assertThat(c.recv(10)).as("end of stream after the handler's close").isEmpty();
            }
        }
    }

    @Test
    void aClientRefusesAServerWhoseCertificateNamesAnotherHostAndTheServerGoesOn() throws Exception {
        try (StreamServer server = tlsEcho(Model.VIRTUAL, Tls.server(other.serverContext()))) {
            assertThatThrownBy(() -> client(Tls.client(other.clientContext())).connect("127.0.0.1", server.port()))
                    .isInstanceOf(SSLHandshakeException.class).hasMessageContaining("127.0.0.1");
            try (Connection c = client(Tls.client(other.clientContext()).hostnameVerification(false))
                    .connect("127.0.0.1", server.port())) {
                c.sendAll(bytes("unverified"));
                assertThat(c.recvExactly(10)).isEqualTo(bytes("unverified"));
            }
            Await.until("the refused handshake is counted", () -> server.stats().errors() == 1);
        }
    }

    @Test
    void aClientThatDoesNotTrustTheServerRefusesIt() throws Exception {
        try (StreamServer server = tlsEcho(Model.eventLoop(1), Tls.server(local.serverContext()))) {
            assertThatThrownBy(() -> client(Tls.client(other.clientContext())).connect("127.0.0.1", server.port()))
                    .isInstanceOf(SSLHandshakeException.class);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.spindle.net.Models#every")
    void aPlaintextClientIsRefusedCleanlyAndTheServerIsUnharmed(Model model) throws Exception {
        try (StreamServer server = tlsEcho(model, Tls.server(local.serverContext()))) {
            try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                plain.setSoTimeout(20_000);
                plain.getOutputStream().write(bytes("GET / HTTP/1.0\r\n\r\n"));
                InputStream in = plain.getInputStream();
                byte[] got = readUntilEnd(in);
                assertThat(new String(got, StandardCharsets.ISO_8859_1)).as("never the echo").doesNotContain("GET");
            }
            Await.until("the failed handshake is counted", () -> server.stats().errors() == 1);
            try (Connection c = client(Tls.client(local.clientContext())).connect("127.0.0.1", server.port())) {
                c.sendAll(bytes("after"));
                assertThat(c.recvExactly(5)).isEqualTo(bytes("after"));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.spindle.net.Models#every")
    void aClientThatStallsMidHandshakeIsTimedOutAndFreesItsSlot(Model model) throws Exception {
        Tls tls = Tls.server(local.serverContext()).handshakeTimeout(Duration.ofMillis(300));
        try (StreamServer server = StreamServer.builder().model(model).tls(tls).maxConnections(1)
                .protocol(EchoProtocol::new).open()) {
            server.start();
            try (Socket staller = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                staller.setSoTimeout(20_000);
                // Nothing sent: the server waits for a ClientHello that never comes.
                readUntilEnd(staller.getInputStream());
            }
            Await.until("the stalled handshake is counted as timed out", () -> server.stats().timedOut() == 1);
            try (Connection c = client(Tls.client(local.clientContext())).connect("127.0.0.1", server.port())) {
                c.sendAll(bytes("slot"));
                assertThat(c.recvExactly(4)).as("the only slot is free again").isEqualTo(bytes("slot"));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.spindle.net.Models#every")
    void alpnPassesThrough(Model model) throws Exception {
        java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (StreamServer server = StreamServer.builder().model(model)
                .tls(Tls.server(local.serverContext()).applicationProtocols("h2", "http/1.1"))
                .protocol(() -> new Protocol() {
                    Transport transport;

                    @Override
                    public void connectionMade(Transport t) {
                        transport = t;
                        seen.add(String.valueOf(t.applicationProtocol()));
                    }

                    @Override
                    public void dataReceived(java.nio.ByteBuffer data) {
                        transport.write(data);
                    }
                }).open()) {
            server.start();
            try (Connection c = client(Tls.client(local.clientContext()).applicationProtocols("http/1.1"))
                    .connect("127.0.0.1", server.port())) {
                assertThat(c.applicationProtocol()).isEqualTo("http/1.1");
                c.sendAll(bytes("alpn"));
                assertThat(c.recvExactly(4)).isEqualTo(bytes("alpn"));
            }
            assertThat(seen).containsExactly("http/1.1");
        }
    }

    @Test
    void aServerRefusesAClientsTlsAndTheOtherWayRound() throws Exception {
        assertThatThrownBy(() -> StreamServer.builder().tls(Tls.client(local.clientContext())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Tls.server");
        assertThatThrownBy(() -> Client.builder().tls(Tls.server(local.serverContext())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Tls.client");
        assertThatThrownBy(() -> Tls.server(local.serverContext()).protocols("TLSv0.9"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not supported");
        assertThat(new InetSocketAddress(0).getPort()).isZero();
    }

    /** Reads until end of stream or a reset, whichever the peer ends with. */
    private static byte[] readUntilEnd(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        byte[] chunk = new byte[4096];
        try {
            int n;
            while ((n = in.read(chunk)) > 0) {
                got.write(chunk, 0, n);
            }
        } catch (java.net.SocketException reset) {
            // a reset ends it too
        }
        return got.toByteArray();
    }
}
