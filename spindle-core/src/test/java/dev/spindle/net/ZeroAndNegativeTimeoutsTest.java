package dev.spindle.net;

import dev.spindle.internal.Deadline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The one timeout rule in the server: a blocking call given zero or a negative duration does not
 * wait (never "wait forever"; a year in the past must not hang, which the class timeout would
 * catch), while a setting of zero means "no timeout" and a negative setting is refused.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ZeroAndNegativeTimeoutsTest {

    private static final List<Duration> NO_WAIT = List.of(Duration.ZERO, Duration.ofMillis(-1), Duration.ofDays(-365));

    static Stream<Model> models() {
        return Models.every();
    }

    /** handleRequest is not available under ASYNC. */
    static Stream<Model> modelsWithHandleRequest() {
        return models().filter(m -> m != Model.ASYNC);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A Unix-domain connect returns once the connection is queued on the listener, so the
     * connection is certainly waiting in the backlog when handleRequest looks.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("modelsWithHandleRequest")
    void handleRequestThatMayNotWaitStillServesAConnectionAlreadyWaiting(Model model, @TempDir Path dir)
            throws Exception {
        AtomicInteger timeouts = new AtomicInteger();
        try (StreamServer server = StreamServer.builder().bindUnix(dir.resolve("s.sock")).model(model)
                .protocol(EchoProtocol::new).onTimeout(timeouts::incrementAndGet).open()) {
            for (Duration timeout : NO_WAIT) {
                try (Connection c = Client.connect(dir.resolve("s.sock"))) {
                    // The whole request first: under SYNC, handleRequest returns once it is served.
                    c.sendAll(bytes("served"));
                    c.shutdownOutput();
                    assertThat(server.handleRequest(timeout)).as("served with a timeout of " + timeout).isTrue();
                    assertThat(c.recvExactly(6)).isEqualTo(bytes("served"));
                    assertThat(c.recv(10)).as("then end of stream").isEmpty();
                }
            }
            assertThat(timeouts).as("timeout hook runs").hasValue(0);
            assertThat(server.stats().accepted()).isEqualTo(NO_WAIT.size());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modelsWithHandleRequest")
    void handleRequestThatMayNotWaitReturnsFalseWhenNobodyIsWaiting(Model model) throws Exception {
        AtomicInteger timeouts = new AtomicInteger();
        try (StreamServer server = StreamServer.builder().model(model).protocol(EchoProtocol::new)
                .onTimeout(timeouts::incrementAndGet).open()) {
            for (Duration timeout : NO_WAIT) {
                assertThat(server.handleRequest(timeout)).as("with a timeout of " + timeout).isFalse();
            }
            assertThat(timeouts).as("timeout hook runs").hasValue(NO_WAIT.size());
            assertThat(server.stats().accepted()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void shutdownThatMayNotWaitClosesWhatIsOpenAtOnce(Model model) throws Exception {
        for (Duration grace : NO_WAIT) {
            StreamServer server = StreamServer.builder().model(model).protocol(EchoProtocol::new).open();
            server.start();
            try (Connection open = Client.builder().readTimeout(Duration.ofSeconds(20)).build()
                    .connect(server.localAddress())) {
                open.sendAll(bytes("here"));
                assertThat(open.recvExactly(4)).isEqualTo(bytes("here"));
                assertThat(server.shutdown(grace)).as("every handler finished, with a grace of " + grace).isFalse();
                assertThat(open.recv(10)).as("closed by the server").isEmpty();
            }
            assertThat(server.state()).isEqualTo(StreamServer.State.CLOSED);
            assertThat(server.stats().active()).isZero();
            assertThat(server.stats().errors()).isZero();
        }
    }

    @Test
    void shutdownThatMayNotWaitReportsSuccessWhenNothingIsOpen() throws Exception {
        for (Duration grace : NO_WAIT) {
            StreamServer server = StreamServer.builder().handler(Handlers.ECHO).open();
            server.start();
            assertThat(server.shutdown(grace)).as("with a grace of " + grace).isTrue();
            assertThat(server.state()).isEqualTo(StreamServer.State.CLOSED);
        }
    }

    /**
     * Fills the backlog of a listener that never accepts, holding the connections made: a TCP
     * connect to it then gets no answer (the kernel drops its handshake), and a Unix-domain one
     * would wait for room.
     */
    private static void fillBacklog(SocketAddress listener, List<SocketChannel> held) throws IOException {
        boolean unix = listener instanceof UnixDomainSocketAddress;
        for (int i = 0; i < 64; i++) {
            if (unix) {
                SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                held.add(c);
                c.configureBlocking(false);
                try {
                    c.connect(listener);
                } catch (SocketException e) {
                    return; // EAGAIN: the backlog is full
                }
            } else {
                try {
                    held.add(Dialer.connect(listener, Deadline.after(Duration.ofMillis(200)), c -> { }));
                } catch (SocketTimeoutException e) {
                    return; // no answer: the backlog is full
                }
            }
        }
        throw new AssertionError("the backlog of " + listener + " never filled");
    }

    @Test
    void aConnectThatMayNotWaitFailsAtOnceWhenTheServerCannotTakeTheConnectionYet(@TempDir Path dir) throws Exception {
        List<SocketChannel> held = new ArrayList<>();
        Path socket = dir.resolve("full.sock");
        try (ServerSocketChannel tcp = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 1);
             ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                     .bind(UnixDomainSocketAddress.of(socket), 1);
             EventLoopGroup loops = EventLoopGroup.open(1, "zero-timeouts")) {
            InetSocketAddress tcpAddress = (InetSocketAddress) tcp.getLocalAddress();
            SocketAddress unixAddress = UnixDomainSocketAddress.of(socket);
            fillBacklog(tcpAddress, held);
            fillBacklog(unixAddress, held);
            for (Duration timeout : NO_WAIT) {
                assertThatThrownBy(() -> Client.connect("127.0.0.1", tcpAddress.getPort(), timeout))
                        .as("TCP, " + timeout).isInstanceOf(SocketTimeoutException.class)
                        .hasMessageContaining("does not wait");
                assertThat(Client.tryConnect("127.0.0.1", tcpAddress.getPort(), timeout))
                        .isInstanceOfSatisfying(ConnectResult.Failed.class,
                                failed -> assertThat(failed.error()).isInstanceOf(SocketTimeoutException.class));
                assertThatThrownBy(() -> loops.connect(tcpAddress, new EchoProtocol(), timeout))
                        .isInstanceOf(SocketTimeoutException.class);
                // The system's own error, EAGAIN, at once.
                assertThatThrownBy(() -> Client.connect(socket, timeout)).as("Unix-domain, " + timeout)
                        .isInstanceOf(SocketException.class);
                assertThatThrownBy(() -> loops.connect(unixAddress, new EchoProtocol(), timeout))
                        .isInstanceOf(SocketException.class);
            }
            Duration brief = Duration.ofMillis(100);
            assertThatThrownBy(() -> Client.connect(socket, brief)).as("a Unix-domain connect that may wait")
                    .isInstanceOf(SocketTimeoutException.class).hasMessageContaining("backlog");
            assertThatThrownBy(() -> Client.builder().connectTimeout(brief).build().connect(unixAddress))
                    .isInstanceOf(SocketTimeoutException.class);
            assertThatThrownBy(() -> loops.connect(unixAddress, new EchoProtocol(), brief))
                    .isInstanceOf(SocketTimeoutException.class);
            assertThatThrownBy(() -> loops.connect(tcpAddress, new EchoProtocol(), brief))
                    .isInstanceOf(SocketTimeoutException.class);
            assertThatThrownBy(() -> Client.connect("127.0.0.1", tcpAddress.getPort(), brief))
                    .isInstanceOf(SocketTimeoutException.class).hasMessageContaining("after 100 ms");
        } finally {
            for (SocketChannel c : held) {
                c.close();
            }
        }
    }

    /** A Unix-domain connect to a listener with room is made at once, so one that may not wait succeeds. */
    @Test
    void aUnixDomainConnectThatMayNotWaitSucceedsWhenTheServerHasRoom(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("s.sock");
        try (StreamServer server = StreamServer.builder().bindUnix(socket).protocol(EchoProtocol::new).open();
             EventLoopGroup loops = EventLoopGroup.open(1, "zero-timeouts")) {
            server.start();
            for (Duration timeout : NO_WAIT) {
                try (Connection c = Client.connect(socket, timeout)) {
                    c.sendAll(bytes("room"));
                    assertThat(c.recvExactly(4)).as("echoed, connected with " + timeout).isEqualTo(bytes("room"));
                }
                loops.connect(UnixDomainSocketAddress.of(socket), new EchoProtocol(), timeout).close();
            }
        }
    }

    @Test
    void timeoutSettingsRefuseNegativeValuesNamingTheSetting() {
        Duration negative = Duration.ofSeconds(-5);
        assertThatThrownBy(() -> StreamServer.builder().idleTimeout(negative))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idle timeout must be zero (none) or positive");
        assertThatThrownBy(() -> StreamServer.builder().shutdownGrace(negative))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shutdown grace must be zero (none) or positive");
        assertThatThrownBy(() -> Client.builder().connectTimeout(negative))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connect timeout must be zero (none) or positive");
        assertThatThrownBy(() -> Client.builder().readTimeout(negative))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read timeout must be zero (none) or positive");
        assertThatThrownBy(() -> Client.builder().writeTimeout(negative))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("write timeout must be zero (none) or positive");
    }

    /** Zero settings: no timeout at all, so no connection is watched for one. */
    @Test
    void timeoutSettingsOfZeroMeanNone() throws Exception {
        AtomicReference<Duration> serverSide = new AtomicReference<>();
        AtomicReference<Long> serverWatch = new AtomicReference<>();
        try (StreamServer server = StreamServer.builder().idleTimeout(Duration.ZERO).shutdownGrace(Duration.ZERO)
                .handler(connection -> {
                    serverSide.set(connection.readTimeout());
                    serverWatch.set(((ChannelConnection) connection).shortestTimeoutNanos());
                    Handlers.ECHO.handle(connection);
                }).open()) {
            server.start();
            try (Connection c = Client.builder().connectTimeout(Duration.ZERO).readTimeout(Duration.ZERO)
                    .writeTimeout(Duration.ZERO).build().connect(server.localAddress())) {
                c.sendAll(bytes("zero"));
                assertThat(c.recvExactly(4)).isEqualTo(bytes("zero"));
                assertThat(c.readTimeout()).isZero();
                assertThat(c.writeTimeout()).isZero();
                assertThat(((ChannelConnection) c).shortestTimeoutNanos()).as("watched for a timeout")
                        .isEqualTo(Long.MAX_VALUE);
                assertThatThrownBy(() -> c.readTimeout(Duration.ofMillis(-1)))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read timeout");
                c.readTimeout(Duration.ofSeconds(30));
                assertThat(((ChannelConnection) c).shortestTimeoutNanos()).isEqualTo(Duration.ofSeconds(30).toNanos());
            }
            assertThat(serverSide.get()).isZero();
            assertThat(serverWatch.get()).isEqualTo(Long.MAX_VALUE);
        }
    }
}
