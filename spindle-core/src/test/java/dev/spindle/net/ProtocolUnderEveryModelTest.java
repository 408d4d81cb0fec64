package dev.spindle.net;

import dev.spindle.testing.Await;

import dev.spindle.codec.Framing;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** One {@link Protocol}, every model: the blocking ones run it through the adapter. */
class ProtocolUnderEveryModelTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    static Stream<Model> models() {
        return Models.every();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Connection connect(StreamServer server) throws IOException {
        return Client.builder().readTimeout(WAIT).build().connect(server.localAddress());
    }

    private static void assertEchoes(Connection c, String sent, String expected) throws IOException {
        c.sendAll(bytes(sent));
        assertThat(new String(c.recvExactly(expected.length()), StandardCharsets.UTF_8)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void echoProtocolReturnsEveryByteToManyClients(Model model) throws Exception {
        int clients = model == Model.SYNC ? 20 : 300;
        try (StreamServer server = StreamServer.builder().model(model).protocol(EchoProtocol::new).open()) {
            server.start();
            long total = 0;
            try (ExecutorService pool = model == Model.SYNC
                    ? Executors.newSingleThreadExecutor() : Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Long>> results = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    int seed = i;
                    results.add(pool.submit(() -> converse(server, seed)));
                }
                for (Future<Long> r : results) {
                    total += r.get(60, TimeUnit.SECONDS);
                }
            }
            long expected = total;
            Await.until("all closed", () -> server.stats().active() == 0);
            assertThat(server.stats().bytesIn()).isEqualTo(expected);
            assertThat(server.stats().bytesOut()).isEqualTo(expected);
            assertThat(server.stats().errors()).isZero();
        }
    }

    private static long converse(StreamServer server, int seed) throws IOException {
        Random random = new Random(seed);
        long sent = 0;
        try (Connection c = connect(server)) {
            for (int m = 0; m < 5; m++) {
                byte[] message = new byte[1 + random.nextInt(20_000)];
                random.nextBytes(message);
                c.sendAll(message);
                assertThat(c.recvExactly(message.length)).isEqualTo(message);
                sent += message.length;
            }
        }
        return sent;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void upperCaseProtocolAnswersInCapitals(Model model) throws Exception {
        try (StreamServer server = StreamServer.builder().model(model).protocol(() -> new EchoProtocol(true)).open()) {
            server.start();
            try (Connection c = connect(server)) {
                assertEchoes(c, "hello, seeds 123", "HELLO, SEEDS 123");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void framedEchoRoundTripsLinesAndLengthPrefixes(Model model) throws Exception {
        for (Framing framing : List.of(Framing.lines(1024), Framing.lengthPrefixed(4, ByteOrder.LITTLE_ENDIAN, 1 << 20))) {
            try (StreamServer server = StreamServer.builder().model(model)
                    .protocol(() -> EchoProtocol.framed(framing, true)).open()) {
                server.start();
                try (Connection c = Client.builder().framing(framing).readTimeout(WAIT).build()
                        .connect(server.localAddress())) {
                    List<String> messages = List.of("one", "", "three words here", "x".repeat(1000));
                    for (String m : messages) {
                        c.sendFrame(bytes(m));
                    }
                    for (String m : messages) {
                        assertThat(new String(c.readFrame(), StandardCharsets.UTF_8)).isEqualTo(m.toUpperCase());
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void aLastLineWithoutItsNewlineIsDeliveredAtEndOfStreamAndAnsweredBeforeTheClose(Model model) throws Exception {
        Framing lines = Framing.lines(1024);
        try (StreamServer server = StreamServer.builder().model(model)
                .protocol(() -> EchoProtocol.framed(lines, true)).open()) {
            server.start();
            try (Connection c = Client.builder().framing(lines).readTimeout(WAIT).build()
                    .connect(server.localAddress())) {
                c.sendAll(bytes("first\nlast line without newline"));
                c.shutdownOutput();
                assertThat(c.readFrame()).isEqualTo(bytes("FIRST"));
                assertThat(c.readFrame()).as("the unterminated last line, answered")
                        .isEqualTo(bytes("LAST LINE WITHOUT NEWLINE"));
                assertThat(c.readFrame()).as("then end of stream").isNull();
            }
            Await.until("the connection has ended", () -> server.stats().active() == 0);
            assertThat(server.stats().errors()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void anOversizedFrameClosesOnlyItsConnection(Model model) throws Exception {
        Framing framing = Framing.lengthPrefixed(4, ByteOrder.BIG_ENDIAN, 100);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (StreamServer server = StreamServer.builder().model(model)
                .protocol(() -> EchoProtocol.framed(framing, false)).onError((p, e) -> errors.add(e)).open()) {
            server.start();
            try (Connection good = Client.builder().framing(framing).readTimeout(WAIT).build()
                    .connect(server.localAddress()); Connection bad = connect(server)) {
                good.sendFrame(bytes("fine"));
                assertThat(good.readFrame()).isEqualTo(bytes("fine"));
                bad.sendAll(new byte[] {0, 0, 1, 0});
                if (model != Model.SYNC) {
                    assertThat(bad.recv(10)).as("the bad connection is closed").isEmpty();
                }
                good.sendFrame(bytes("still fine"));
                assertThat(good.readFrame()).isEqualTo(bytes("still fine"));
                if (model == Model.SYNC) {
                    // One connection at a time: the bad one is served, and closed, once the good one leaves.
                    assertThat(errors).as("errors while the good connection is served").isEmpty();
                    good.close();
                    assertThat(bad.recv(10)).as("the bad connection is closed").isEmpty();
                }
            }
            // The counter goes up before the error handler runs: wait for both.
            Await.until("error counted and handled", () -> server.stats().errors() == 1 && !errors.isEmpty());
            assertThat(errors).singleElement().isInstanceOf(dev.spindle.codec.FrameTooLargeException.class);
        }
    }

    static Stream<Model> concurrentModels() {
        return models().filter(model -> model != Model.SYNC);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("concurrentModels")
    void connectionsBeyondTheMaximumAreRefusedWhenTheServerRefusesWhenFull(Model model) throws Exception {
        int max = 2;
        try (StreamServer server = StreamServer.builder().model(model).maxConnections(max).whenFull(WhenFull.REFUSE)
                .protocol(EchoProtocol::new).open()) {
            server.start();
            List<Connection> held = new ArrayList<>();
            try {
                for (int i = 0; i < max; i++) {
                    Connection c = connect(server);
                    held.add(c);
                    assertEchoes(c, "in " + i, "in " + i);
                }
                try (Connection refused = connect(server)) {
                    assertThat(refused.recv(10)).isEmpty();
                }
                assertThat(server.stats().refused()).isEqualTo(1);
                assertEchoes(held.get(0), "unaffected", "unaffected");
                assertEchoes(held.get(1), "unaffected", "unaffected");
            } finally {
                held.forEach(Connection::close);
            }
        }
    }

    /**
     * By default a full server stops accepting: the next connection waits in the listen backlog,
     * unanswered but not refused, and is served as soon as a connection ends.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("concurrentModels")
    void connectionsBeyondTheMaximumWaitInTheBacklogUntilASlotFrees(Model model) throws Exception {
        int max = 2;
        try (StreamServer server = StreamServer.builder().model(model).maxConnections(max)
                .protocol(EchoProtocol::new).open()) {
            server.start();
            List<Connection> held = new ArrayList<>();
            try {
                for (int i = 0; i < max; i++) {
                    Connection c = connect(server);
                    held.add(c);
                    assertEchoes(c, "in " + i, "in " + i);
                }
                try (Connection waiting = connect(server)) {
                    waiting.sendAll(bytes("waited"));
                    assertEchoes(held.get(0), "while one waits", "while one waits");
                    assertThat(server.stats().accepted()).as("accepted while full").isEqualTo(max);
                    held.remove(0).close();
                    assertThat(new String(waiting.recvExactly(6), StandardCharsets.UTF_8)).isEqualTo("waited");
                    assertThat(server.stats().refused()).as("refused").isZero();
                    assertEchoes(held.get(0), "unaffected", "unaffected");
                }
            } finally {
                held.forEach(Connection::close);
            }
        }
    }

    /**
     * SYNC serves one connection at a time on the accepting thread, so it never holds more than
     * one: with a maximum of one, a second connection is not refused but waits in the backlog,
     * and is served, on the same thread, once the first leaves.
     */
    @org.junit.jupiter.api.Test
    void maxConnectionsUnderSyncMakesTheNextConnectionWaitInsteadOfRefusingIt() throws Exception {
        List<String> servingThreads = new CopyOnWriteArrayList<>();
        try (StreamServer server = StreamServer.builder().name("sync-max").model(Model.SYNC).maxConnections(1)
                .protocol(() -> new Protocol() {
                    final EchoProtocol echo = new EchoProtocol();

                    @Override
                    public void connectionMade(Transport transport) {
                        servingThreads.add(Thread.currentThread().getName());
                        echo.connectionMade(transport);
                    }

                    @Override
                    public void dataReceived(ByteBuffer data) {
                        echo.dataReceived(data);
                    }
                }).open()) {
            server.start();
            try (Connection first = connect(server); Connection second = connect(server)) {
                assertEchoes(first, "first", "first");
                second.sendAll(bytes("second waits"));
                assertEchoes(first, "first again", "first again");
                assertThat(server.stats().accepted()).as("accepted while the first is served").isEqualTo(1);
                first.close();
                assertThat(new String(second.recvExactly(12), StandardCharsets.UTF_8)).isEqualTo("second waits");
                assertThat(server.stats().accepted()).isEqualTo(2);
                assertThat(server.stats().refused()).as("refused").isZero();
            }
            assertThat(servingThreads).containsExactly("sync-max-accept", "sync-max-accept");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void idleTimeoutClosesASilentConnection(Model model) throws Exception {
        try (StreamServer server = StreamServer.builder().model(model).idleTimeout(Duration.ofMillis(200))
                .protocol(EchoProtocol::new).open()) {
            server.start();
            try (Connection silent = connect(server)) {
                assertEchoes(silent, "then silence", "then silence");
                assertThat(silent.recv(10)).as("closed by the server").isEmpty();
            }
            Await.until("timeout counted", () -> server.stats().timedOut() == 1);
            assertThat(server.stats().errors()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void aThrowingProtocolEndsOnlyItsOwnConnection(Model model) throws Exception {
        try (StreamServer server = StreamServer.builder().model(model).onError((p, e) -> { })
                .protocol(() -> new Protocol() {
                    Transport transport;

                    @Override
                    public void connectionMade(Transport t) {
                        transport = t;
                    }

                    @Override
                    public void dataReceived(ByteBuffer data) {
                        if (data.remaining() == 4 && data.get(data.position()) == 'b') {
                            throw new IllegalStateException("boom");
                        }
                        transport.write(data);
                    }
                }).open()) {
            server.start();
            try (Connection healthy = connect(server); Connection doomed = connect(server)) {
                assertEchoes(healthy, "before", "before");
                doomed.sendAll(bytes("boom"));
                if (model != Model.SYNC) {
                    assertThat(doomed.recv(10)).as("the doomed connection is closed").isEmpty();
                }
                assertEchoes(healthy, "after", "after");
                if (model == Model.SYNC) {
                    // One connection at a time: the doomed one is served, and fails, once the healthy one leaves.
                    assertThat(server.stats().errors()).as("errors while the healthy connection is served").isZero();
                    healthy.close();
                    assertThat(doomed.recv(10)).as("the doomed connection is closed").isEmpty();
                }
            }
            Await.until("error counted", () -> server.stats().errors() == 1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void shutdownLetsInFlightConnectionsFinishThenClosesTheRest(Model model) throws Exception {
        StreamServer server = StreamServer.builder().model(model).protocol(EchoProtocol::new).open();
        server.start();
        try (Connection inFlight = connect(server)) {
            assertEchoes(inFlight, "before", "before");
            CompletableFuture<Boolean> shutdown = CompletableFuture.supplyAsync(() -> server.shutdown(WAIT));
            Await.until("shutting down", () -> server.state() == StreamServer.State.SHUTTING_DOWN);
            assertEchoes(inFlight, "during grace", "during grace");
            inFlight.shutdownOutput();
            assertThat(inFlight.recv(10)).isEmpty();
            assertThat(shutdown.get(20, TimeUnit.SECONDS)).isTrue();
        }
        StreamServer second = StreamServer.builder().model(model).protocol(EchoProtocol::new).open();
        second.start();
        try (Connection stubborn = connect(second)) {
            assertEchoes(stubborn, "never leaves", "never leaves");
            assertThat(second.shutdown(Duration.ofMillis(100))).isFalse();
            assertThat(stubborn.recv(10)).isEmpty();
        }
        assertThat(second.stats().active()).isZero();
        assertThat(second.stats().errors()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void halfCloseDeliversTheWholeReplyBeforeTheServerCloses(Model model) throws Exception {
        try (StreamServer server = StreamServer.builder().model(model).protocol(EchoProtocol::new).open()) {
            server.start();
            try (Connection c = connect(server)) {
                byte[] big = new byte[1 << 20];
                new Random(3).nextBytes(big);
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        c.sendAll(big);
                        c.shutdownOutput();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                assertThat(c.recvExactly(big.length)).isEqualTo(big);
                assertThat(c.recv(10)).as("then end of stream").isEmpty();
                writer.join();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nonBlockingModels")
    void aClientThatStopsReadingDoesNotGrowServerMemoryPastTheHighWaterMark(Model model) throws Exception {
        List<Integer> buffered = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean paused = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger readsWhilePaused = new java.util.concurrent.atomic.AtomicInteger();
        try (StreamServer server = StreamServer.builder().model(model).protocol(() -> new Protocol() {
            final EchoProtocol echo = new EchoProtocol();
            Transport transport;

            @Override
            public void connectionMade(Transport t) {
                transport = t;
                echo.connectionMade(t);
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                if (paused.get()) {
                    readsWhilePaused.incrementAndGet();
                }
                echo.dataReceived(data);
                buffered.add(transport.writeBufferSize());
                paused.set(!transport.isWritable()); // EchoProtocol pauses reading exactly then
            }

            @Override
            public void writabilityChanged(boolean writable) {
                if (writable) {
                    paused.set(false);
                }
                echo.writabilityChanged(writable);
            }
        }).open()) {
            server.start();
            try (Connection c = Client.builder().option(java.net.StandardSocketOptions.SO_RCVBUF, 16 * 1024).build()
                    .connect(server.localAddress())) {
                // Send 32 MiB without reading a byte back; the sender stalls once the server stops reading.
                Thread sender = Thread.ofVirtual().start(() -> {
                    try {
                        byte[] chunk = new byte[64 * 1024];
                        for (int i = 0; i < 512; i++) {
                            c.sendAll(chunk);
                        }
                    } catch (IOException expected) {
                        // closed below, while blocked
                    }
                });
                // A server that kept reading while paused would be caught at its next read; one that
                // honours the pause leaves the sender blocked in a write with the server paused.
                Await.until("the sender is blocked while the server is paused, or a read came while paused",
                        () -> readsWhilePaused.get() > 0
                                || (paused.get() && sender.getState() == Thread.State.WAITING));
                assertThat(readsWhilePaused).as("reads while paused").hasValue(0);
                int max = buffered.stream().mapToInt(Integer::intValue).max().orElseThrow();
                assertThat(max).as("largest write buffer, bytes")
                        .isGreaterThan(Transport.DEFAULT_HIGH_WATER)
                        .isLessThanOrEqualTo(Transport.DEFAULT_HIGH_WATER + 64 * 1024);
                assertThat(sender.isAlive()).as("the sender is held back by TCP").isTrue();
                c.close();
                sender.join(10_000);
            }
        }
    }

    static Stream<Model> nonBlockingModels() {
        return Models.nonBlocking();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nonBlockingModels")
    void aNonBlockingModelServesAThousandConcurrentConnections(Model model) throws Exception {
        int n = 1000;
        try (StreamServer server = StreamServer.builder().model(model).protocol(EchoProtocol::new).open()) {
            server.start();
            List<Connection> connections = new ArrayList<>();
            try {
                Client client = Client.builder().readTimeout(WAIT).build();
                for (int i = 0; i < n; i++) {
                    connections.add(client.connect(new InetSocketAddress("127.0.0.1", server.port())));
                }
                Await.until("all accepted", () -> server.stats().active() == n);
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<?>> all = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        Connection c = connections.get(i);
                        String message = "message from connection " + i;
                        all.add(pool.submit(() -> {
                            assertEchoes(c, message, message);
                            return null;
                        }));
                    }
                    for (Future<?> f : all) {
                        f.get(60, TimeUnit.SECONDS);
                    }
                }
            } finally {
                connections.forEach(Connection::close);
            }
            Await.until("all closed", () -> server.stats().active() == 0);
        }
    }
}
