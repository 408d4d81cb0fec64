package dev.spindle.net;

import dev.spindle.testing.Await;

import dev.spindle.codec.Framing;
import dev.spindle.codec.TruncatedFrameException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The server's budget for input buffered across all connections, with real sockets under every model. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InputBudgetTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int MIB = 1 << 20;
    private static final long BUDGET = MIB;
    private static final Framing FRAMING = Framing.lengthPrefixed(4, ByteOrder.BIG_ENDIAN, 16 * MIB);

    static Stream<Model> models() {
        return Models.every();
    }

    static Stream<Model> blockingModels() {
        return Models.blocking();
    }

    private static Connection connect(StreamServer server) throws IOException {
        return Client.builder().framing(FRAMING).readTimeout(WAIT).build().connect(server.localAddress());
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A 4 MiB prefix and {@code bodyBytes} of its body, sent from a thread of its own: the server may close under it. */
    private static Thread sendPartOfAFrame(Connection c, int bodyBytes) {
        return Thread.ofVirtual().name("test-partial-frame").start(() -> {
            try {
                c.sendAll(ByteBuffer.allocate(4).putInt(4 * MIB).flip(), ByteBuffer.wrap(randomBytes(bodyBytes, 1)));
            } catch (IOException refusedMidway) {
                // the server closed the connection while the body was on its way
            }
        });
    }

    private static void assertRoundTrip(Connection c, byte[] frame) throws IOException {
        c.sendFrame(frame);
        assertThat(c.readFrame()).isEqualTo(frame);
    }

    private static void assertClosedByServer(Connection c) {
        try {
            assertThat(c.recv(10)).isEmpty();
        } catch (IOException reset) {
            // closed with unread input: a reset is as good as end of stream here
        }
    }

    private static void assertRefusalExplainsItself(Throwable e) {
        assertThat(e).isInstanceOf(InputBudgetExceededException.class)
                .hasMessageContaining("input budget of " + BUDGET + " bytes")
                .hasMessageContaining("inputBudget(")
                .hasMessageContaining("--input-budget");
    }

    private static StreamServer open(Model model, List<Throwable> errors) throws IOException {
        return StreamServer.builder().model(model).inputBudget(BUDGET)
                .protocol(() -> EchoProtocol.framed(FRAMING, false))
                .onError((peer, e) -> errors.add(e)).open();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void aConnectionThatWouldPassTheBudgetIsRefusedWhileAnotherGoesOnAndItsShareReturns(Model model)
            throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (StreamServer server = open(model, errors)) {
            server.start();
            Supplier<Connection> good = goodConnection(server, model);
            try (Connection hog = connect(server)) {
                if (model != Model.SYNC) {
                    assertRoundTrip(good.get(), randomBytes(1000, 2));
                }
                Thread sender = sendPartOfAFrame(hog, 2 * MIB);
                Await.until("the hog is refused", () -> !errors.isEmpty());
                assertClosedByServer(hog);
                sender.join(WAIT);
                // SYNC serves one connection at a time: the good one is served once the hog is gone.
                assertRoundTrip(good.get(), randomBytes(1000, 3));
                Await.until("the hog's share has returned", () -> server.stats().bufferedInput() == 0);
                assertRoundTrip(good.get(), randomBytes((int) BUDGET * 3 / 4, 4));
                assertThat(server.inputBudget().peak()).as("most ever charged").isLessThanOrEqualTo(BUDGET);
            } finally {
                good.get().close();
            }
            assertThat(errors).singleElement().satisfies(InputBudgetTest::assertRefusalExplainsItself);
            Await.until("every connection has ended", () -> server.stats().active() == 0);
            assertThat(server.stats().errors()).isEqualTo(1);
            assertThat(server.stats().bufferedInput()).isZero();
        }
    }

    /** The well-behaved connection: open from the start, or under SYNC opened when first used. */
    private static Supplier<Connection> goodConnection(StreamServer server, Model model) throws IOException {
        Connection[] good = {model == Model.SYNC ? null : connect(server)};
        return () -> {
            if (good[0] == null) {
                try {
                    good[0] = connect(server);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return good[0];
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("blockingModels")
    void aBlockingHandlerReadingFramesIsRefusedTheSameWay(Model model) throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (StreamServer server = StreamServer.builder().model(model).inputBudget(BUDGET).framing(FRAMING)
                .handler(Handlers.FRAME_ECHO).onError((peer, e) -> errors.add(e)).open()) {
            server.start();
            try (Connection hog = connect(server)) {
                Thread sender = sendPartOfAFrame(hog, 2 * MIB);
                Await.until("the hog is refused", () -> !errors.isEmpty());
                assertClosedByServer(hog);
                sender.join(WAIT);
            }
            Await.until("the hog's share has returned", () -> server.stats().bufferedInput() == 0);
            try (Connection good = connect(server)) {
                assertRoundTrip(good, randomBytes((int) BUDGET * 3 / 4, 5));
            }
            assertThat(errors).singleElement().satisfies(InputBudgetTest::assertRefusalExplainsItself);
        }
    }

    /**
     * Twenty connections each send 200 KiB of a 4 MiB frame: five fit in 1 MiB, so at least fifteen
     * are refused, and what the others hold is exactly what they sent.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void manyConnectionsEachHoldingPartOfAFrameCannotTogetherPassTheBudget(Model model) throws Exception {
        int n = 20;
        int body = 200 * 1024;
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (StreamServer server = open(model, errors)) {
            server.start();
            List<Connection> clients = new ArrayList<>();
            List<Thread> senders = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    Connection c = connect(server);
                    clients.add(c);
                    senders.add(sendPartOfAFrame(c, body));
                }
                if (model == Model.SYNC) {
                    assertSyncHoldsOneConnectionAtATime(server, clients, body, errors);
                    return;
                }
                Await.until("every connection is held or refused", () -> {
                    ServerStats s = server.stats();
                    return s.bufferedInput() % body == 0 && s.errors() + s.bufferedInput() / body == n;
                });
                long refused = server.stats().errors();
                assertThat(refused).as("refusals").isGreaterThanOrEqualTo(n - BUDGET / body);
                assertThat(server.stats().bufferedInput()).as("held by the connections not refused")
                        .isEqualTo((n - refused) * body).isLessThanOrEqualTo(BUDGET);
                assertThat(server.inputBudget().peak()).as("most ever charged").isLessThanOrEqualTo(BUDGET);
                assertThat(errors).hasSize((int) refused).allSatisfy(InputBudgetTest::assertRefusalExplainsItself);
            } finally {
                clients.forEach(Connection::close);
                for (Thread sender : senders) {
                    sender.join(WAIT);
                }
            }
            Await.until("every connection has ended", () -> server.stats().active() == 0);
            assertThat(server.stats().bufferedInput()).as("held once all have ended").isZero();
        }
    }

    /** SYNC serves one connection at a time, so only one holds part of a frame; none is refused. */
    private static void assertSyncHoldsOneConnectionAtATime(StreamServer server, List<Connection> clients, int body,
                                                            List<Throwable> errors) throws Exception {
        for (int i = 0; i < clients.size(); i++) {
            int served = i;
            Await.until("connection " + i + " holds its part", () -> server.stats().bufferedInput() == body);
            clients.get(i).close();
            Await.until("connection " + i + " has ended", () -> server.stats().errors() == served + 1);
        }
        assertThat(errors).hasSize(clients.size()).allSatisfy(e -> assertThat(e).isInstanceOf(TruncatedFrameException.class));
        assertThat(server.inputBudget().peak()).as("most ever charged").isEqualTo(body);
    }

    @Test
    void theBudgetMustBePositive() {
        for (long bad : new long[] {0, -1}) {
            assertThatThrownBy(() -> StreamServer.builder().inputBudget(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("inputBudget must be positive, got " + bad);
        }
    }

    @Test
    void theDefaultBudgetIsAQuarterOfTheHeap() throws Exception {
        try (StreamServer server = StreamServer.builder().handler(Handlers.ECHO).open()) {
            assertThat(server.inputBudget().limit()).isEqualTo(Runtime.getRuntime().maxMemory() / 4);
        }
    }
}
