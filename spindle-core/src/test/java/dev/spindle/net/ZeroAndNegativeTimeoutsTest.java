package dev.spindle.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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
