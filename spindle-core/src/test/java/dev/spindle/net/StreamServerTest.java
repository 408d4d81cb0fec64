package dev.spindle.net;

import dev.spindle.testing.Await;

import dev.spindle.codec.Framing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamServerTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static Connection connect(StreamServer server) throws IOException {
        return Client.builder().readTimeout(WAIT).build().connect(server.localAddress());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertEchoes(Connection c, String message) throws IOException {
        c.sendAll(bytes(message));
        assertThat(new String(c.recvExactly(message.length()), StandardCharsets.UTF_8)).isEqualTo(message);
    }

    @Test
    void syncModelMakesASecondClientWaitUntilTheFirstLeaves() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicInteger numbers = new AtomicInteger();
        ConnectionHandler recordingEcho = connection -> {
            String me = "connection " + numbers.incrementAndGet() + " on " + Thread.currentThread().getName();
            events.add("start " + me);
            try {
                Handlers.ECHO.handle(connection);
            } finally {
                events.add("end " + me);
            }
        };
        try (StreamServer server = StreamServer.builder().name("sync").model(Model.SYNC).handler(recordingEcho).open()) {
            server.start();
            Connection first = connect(server);
            assertEchoes(first, "one");
            try (Connection second = connect(server)) {
                second.sendAll(bytes("two"));
                // The accepting thread is inside the first handler, so the second sits in the backlog.
                assertEchoes(first, "still one");
                assertThat(server.stats().accepted()).isEqualTo(1);
                assertThat(events).containsExactly("start connection 1 on sync-accept");
                first.close();
                assertThat(new String(second.recvExactly(3), StandardCharsets.UTF_8)).isEqualTo("two");
                assertThat(server.stats().accepted()).isEqualTo(2);
            }
            Await.until("both handlers have ended", () -> events.size() == 4);
            assertThat(events).as("one at a time, on the accepting thread").containsExactly(
                    "start connection 1 on sync-accept", "end connection 1 on sync-accept",
                    "start connection 2 on sync-accept", "end connection 2 on sync-accept");
        }
    }

    @Test
    void fullPoolRefusesANewConnectionWithACleanCloseWhenTheServerRefusesWhenFull() throws Exception {
        try (StreamServer server = StreamServer.builder().model(Model.pool(1, 0)).whenFull(WhenFull.REFUSE)
                .handler(Handlers.ECHO).open()) {
            server.start();
            try (Connection busy = connect(server)) {
                assertEchoes(busy, "the only thread is mine");
                try (Connection refused = connect(server)) {
                    assertThat(refused.recv(10)).as("end of stream, not a reset").isEmpty();
                }
                assertThat(server.stats().refused()).isEqualTo(1);
                assertEchoes(busy, "still served");
            }
            Await.until("the pool thread is free", () -> server.stats().active() == 0);
            try (Connection later = connect(server)) {
                assertEchoes(later, "served once the thread is free");
            }
        }
    }

    @Test
    @SuppressWarnings("try") // closes one resource early, on purpose
    void poolQueuesUpToItsCapacityThenRefusesWhenTheServerRefusesWhenFull() throws Exception {
        try (StreamServer server = StreamServer.builder().model(Model.pool(1, 1)).whenFull(WhenFull.REFUSE)
                .handler(Handlers.ECHO).open()) {
            server.start();
            try (Connection busy = connect(server); Connection queued = connect(server)) {
                assertEchoes(busy, "served");
                queued.sendAll(bytes("waiting"));
                Await.until("the second connection is queued", () -> server.stats().accepted() == 2);
                try (Connection refused = connect(server)) {
                    assertThat(refused.recv(10)).isEmpty();
                }
                assertThat(server.stats().refused()).isEqualTo(1);
                busy.close();
                assertThat(new String(queued.recvExactly(7), StandardCharsets.UTF_8)).isEqualTo("waiting");
            }
        }
    }

    /**
     * The seeds' many-threaded client against a pool: more clients at once than the pool runs and
     * queues. By default the excess waits in the backlog, so every client gets its reply.
     */
    @Test
    void moreClientsThanAFullPoolHoldsAreAllAnsweredByDefault() throws Exception {
        int clients = 24;
        try (StreamServer server = StreamServer.builder().model(Model.pool(2, 2)).handler(Handlers.ECHO).open();
             java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(clients)) {
            server.start();
            CountDownLatch go = new CountDownLatch(1);
            List<java.util.concurrent.Future<String>> replies = new java.util.ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String message = "client " + i;
                replies.add(threads.submit(() -> {
                    go.await();
                    try (Connection c = connect(server)) {
                        c.sendAll(message.getBytes(StandardCharsets.UTF_8));
                        return new String(c.recvExactly(message.length()), StandardCharsets.UTF_8);
                    }
                }));
            }
            go.countDown();
            for (int i = 0; i < clients; i++) {
                assertThat(replies.get(i).get(60, TimeUnit.SECONDS)).isEqualTo("client " + i);
            }
            assertThat(server.stats().refused()).as("refused").isZero();
            assertThat(server.stats().accepted()).isEqualTo(clients);
        }
    }

    @Test
    @SuppressWarnings("try") // closes one resource early, on purpose
    void connectionsBeyondTheMaximumAreRefusedAndCountedWhenTheServerRefusesWhenFull() throws Exception {
        try (StreamServer server = StreamServer.builder().maxConnections(2).whenFull(WhenFull.REFUSE)
                .handler(Handlers.ECHO).open()) {
            server.start();
            try (Connection a = connect(server); Connection b = connect(server)) {
                assertEchoes(a, "a");
                assertEchoes(b, "b");
                try (Connection c = connect(server)) {
                    assertThat(c.recv(10)).isEmpty();
                }
                assertThat(server.stats().refused()).isEqualTo(1);
                assertThat(server.stats().active()).isEqualTo(2);
                a.close();
                Await.until("a's slot is free", () -> server.stats().active() == 1);
                try (Connection d = connect(server)) {
                    assertEchoes(d, "d takes a's slot");
                }
                assertEchoes(b, "b unaffected");
            }
        }
    }

    @Test
    void idleTimeoutClosesASilentConnectionButNotABusyOne() throws Exception {
        // Long enough that a busy connection's pings, a few milliseconds apart, never come near it
        // even on a loaded machine.
        try (StreamServer server = StreamServer.builder().idleTimeout(Duration.ofSeconds(1))
                .handler(Handlers.ECHO).open()) {
            server.start();
            try (Connection silent = connect(server); Connection busy = connect(server)) {
                assertEchoes(silent, "then nothing");
                CompletableFuture<byte[]> silentEnd = CompletableFuture.supplyAsync(() -> {
                    try {
                        return silent.recv(10);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                int pings = 0;
                while (!silentEnd.isDone()) {
                    assertEchoes(busy, "ping " + pings++);
                    Thread.sleep(10); // pacing, not a verdict
                }
                assertThat(silentEnd.get()).as("the silent connection, closed by the server").isEmpty();
                assertThat(pings).as("pings while the silent connection idled").isPositive();
                assertEchoes(busy, "the busy connection is still served");
                assertThat(busy.isOpen()).isTrue();
                Await.until("the timeout is counted", () -> server.stats().timedOut() == 1);
                assertThat(server.stats().active()).as("the busy connection is still open on the server").isEqualTo(1);
                assertThat(server.stats().errors()).isZero();
            }
        }
    }

    @Test
    void aThrowingHandlerEndsOnlyItsOwnConnection() throws Exception {
        List<Throwable> reported = new CopyOnWriteArrayList<>();
        ConnectionHandler handler = connection -> {
            byte[] data;
            while ((data = connection.recv(8192)).length > 0) {
                if (new String(data, StandardCharsets.UTF_8).equals("boom")) {
                    throw new IllegalStateException("handler blew up on purpose");
                }
                connection.sendAll(data);
            }
        };
        try (StreamServer server = StreamServer.builder().handler(handler)
                .onError((peer, error) -> reported.add(error)).open()) {
            server.start();
            try (Connection healthy = connect(server); Connection doomed = connect(server)) {
                assertEchoes(healthy, "before");
                doomed.sendAll(bytes("boom"));
                assertThat(doomed.recv(10)).isEmpty();
                assertEchoes(healthy, "after");
            }
            Await.until("the error is counted", () -> server.stats().errors() == 1);
            assertThat(reported).singleElement().satisfies(e ->
                    assertThat(e).isInstanceOf(IllegalStateException.class).hasMessage("handler blew up on purpose"));
        }
    }

    @Test
    void finishRunsWhenHandleThrowsAndAFailingSetupSkipsBoth() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        AtomicInteger connections = new AtomicInteger();
        try (StreamServer server = StreamServer.builder().onError((p, e) -> { }).handlerFactory(() ->
                new ConnectionHandler() {
                    final int number = connections.incrementAndGet();

                    @Override
                    public void setup(Connection connection) {
                        calls.add("setup " + number);
                        if (number == 2) {
                            throw new IllegalStateException("setup fails for the second");
                        }
                    }

                    @Override
                    public void handle(Connection connection) {
                        calls.add("handle " + number);
                        throw new IllegalStateException("handle fails for the first");
                    }

                    @Override
                    public void finish(Connection connection) {
                        calls.add("finish " + number);
                    }
                }).model(Model.SYNC).open()) {
            server.start();
            for (int i = 0; i < 2; i++) {
                try (Connection c = connect(server)) {
                    assertThat(c.recv(10)).isEmpty();
                }
            }
            Await.until("both connections failed", () -> server.stats().errors() == 2);
            assertThat(calls).containsExactly("setup 1", "handle 1", "finish 1", "setup 2");
        }
    }

    @Test
    void shutdownLetsHandlersFinishWithinTheGraceAndAcceptsNoMore() throws Exception {
        StreamServer server = StreamServer.builder().handler(Handlers.ECHO).open();
        server.start();
        SocketAddress address = server.localAddress();
        try (Connection inFlight = connect(server)) {
            assertEchoes(inFlight, "before shutdown");
            CompletableFuture<Boolean> shutdown = CompletableFuture.supplyAsync(() -> server.shutdown(WAIT));
            Await.until("the server stops accepting", () -> server.state() == StreamServer.State.SHUTTING_DOWN);
            assertEchoes(inFlight, "served during the grace period");
            assertThat(Client.builder().build().tryConnect(address).isConnected())
                    .as("no new connections while shutting down").isFalse();
            assertThat(shutdown).isNotDone();
            inFlight.shutdownOutput();
            assertThat(inFlight.recv(10)).isEmpty();
            assertThat(shutdown.get(20, TimeUnit.SECONDS)).as("finished within the grace").isTrue();
        }
        assertThat(server.state()).isEqualTo(StreamServer.State.CLOSED);
    }

    @Test
    void shutdownClosesConnectionsStillOpenAtTheDeadlineAndReturns() throws Exception {
        StreamServer server = StreamServer.builder().handler(Handlers.ECHO).open();
        server.start();
        try (Connection stubborn = connect(server)) {
            assertEchoes(stubborn, "I never leave");
            assertThat(server.shutdown(Duration.ofMillis(200))).as("a handler outlived the grace").isFalse();
            assertThat(stubborn.recv(10)).as("closed by the server").isEmpty();
        }
        assertThat(server.state()).isEqualTo(StreamServer.State.CLOSED);
        assertThat(server.stats().active()).isZero();
        assertThat(server.stats().errors()).as("a shutdown close is no error").isZero();
        // The port is free again.
        try (StreamServer again = StreamServer.builder().bind(server.localAddress()).handler(Handlers.ECHO).open()) {
            assertThat(again.port()).isEqualTo(server.port());
        }
    }

    @Test
    void shutdownFromInsideAHandlerNeitherDeadlocksNorWaitsForItself() throws Exception {
        for (Model model : List.of(Model.SYNC, Model.VIRTUAL, Model.pool(2, 0))) {
            AtomicReference<StreamServer> ref = new AtomicReference<>();
            AtomicReference<Boolean> result = new AtomicReference<>();
            ConnectionHandler handler = connection -> {
                connection.recvExactly(4);
                result.set(ref.get().shutdown(Duration.ofSeconds(10)));
                connection.sendAll(bytes("bye"));
            };
            StreamServer server = StreamServer.builder().model(model).handler(handler).open();
            ref.set(server);
            Thread serving = Thread.ofPlatform().name("test-serve-forever").start(server::serveForever);
            try (Connection c = connect(server)) {
                c.sendAll(bytes("stop"));
                assertThat(new String(c.recvExactly(3), StandardCharsets.UTF_8)).isEqualTo("bye");
            }
            assertThat(serving.join(WAIT)).as("serveForever returned under " + model).isTrue();
            assertThat(result.get()).isTrue();
            Await.until("closed", () -> server.state() == StreamServer.State.CLOSED);
        }
    }

    @Test
    void handleRequestServesExactlyOneConnection() throws Exception {
        AtomicInteger timeouts = new AtomicInteger();
        ConnectionHandler oneReply = connection -> connection.sendAll(connection.recvExactly(1));
        try (StreamServer server = StreamServer.builder().model(Model.SYNC).handler(oneReply)
                .onTimeout(timeouts::incrementAndGet).open()) {
            assertThat(server.handleRequest(Duration.ofMillis(50))).as("nobody came").isFalse();
            assertThat(timeouts).hasValue(1);
            try (Connection a = connect(server); Connection b = connect(server)) {
                a.sendAll(bytes("a"));
                b.sendAll(bytes("b"));
                assertThat(server.handleRequest(WAIT)).isTrue();
                assertThat(a.recvExactly(1)).isEqualTo(bytes("a"));
                assertThat(server.stats().accepted()).isEqualTo(1);
                assertThat(b.inputStream().available()).isZero();
                assertThat(server.handleRequest(WAIT)).isTrue();
                assertThat(b.recvExactly(1)).isEqualTo(bytes("b"));
                assertThat(server.stats().accepted()).isEqualTo(2);
            }
            assertThat(timeouts).hasValue(1);
        }
    }

    @Test
    void unixDomainServerEchoesAndRemovesItsSocketFile(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("echo.sock");
        try (StreamServer server = StreamServer.builder().bindUnix(socket).handler(Handlers.ECHO).open()) {
            server.start();
            assertThat(server.port()).isEqualTo(-1);
            try (Connection c = Client.connect(socket)) {
                assertEchoes(c, "over a Unix-domain socket");
                c.sendAll(new byte[100_000]);
                assertThat(c.recvExactly(100_000)).isEqualTo(new byte[100_000]);
            }
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void aStaleUnixSocketFileIsReplacedButALiveOneIsNot(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("stale.sock");
        try (var stale = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            stale.bind(java.net.UnixDomainSocketAddress.of(socket)); // its owner "crashes": the file stays
        }
        assertThat(socket).exists();
        try (StreamServer server = StreamServer.builder().bindUnix(socket).handler(Handlers.ECHO).open()) {
            server.start();
            try (Connection c = Client.connect(socket)) {
                assertEchoes(c, "replaced");
            }
            assertThatThrownBy(() -> StreamServer.builder().bindUnix(socket).handler(Handlers.ECHO).open())
                    .isInstanceOf(java.net.BindException.class).hasMessageContaining(socket.toString());
        }
    }

    @Test
    void verifyHookRefusesBeforeAnyHandlerRuns() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        try (StreamServer server = StreamServer.builder().verifyRequest(peer -> false)
                .handler(c -> handled.incrementAndGet()).open()) {
            server.start();
            try (Connection c = connect(server)) {
                assertThat(c.recv(10)).isEmpty();
            }
            Await.until("refusal counted", () -> server.stats().refused() == 1);
            assertThat(handled).hasValue(0);
        }
    }

    @Test
    void serviceActionsRunWhileServing() throws Exception {
        CountDownLatch ran = new CountDownLatch(3);
        try (StreamServer server = StreamServer.builder().handler(Handlers.ECHO)
                .pollInterval(Duration.ofMillis(10)).serviceActions(ran::countDown).open()) {
            server.start();
            assertThat(ran.await(20, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void bindingAnAddressInUseSaysWhichAndWhatToDo() throws Exception {
        try (StreamServer server = StreamServer.builder().reuseAddress(false).handler(Handlers.ECHO).open()) {
            assertThatThrownBy(() -> StreamServer.builder().bind(server.localAddress()).reuseAddress(false)
                    .handler(Handlers.ECHO).open())
                    .isInstanceOf(java.net.BindException.class)
                    .hasMessageContaining(String.valueOf(server.port()))
                    .hasMessageContaining("choose another");
        }
    }

    @Test
    void listeningOnAUnixPathInAMissingDirectorySaysWhichPathAndWhatToDo(@TempDir Path dir) {
        Path socket = dir.resolve("missing").resolve("s.sock");
        assertThatThrownBy(() -> StreamServer.builder().bindUnix(socket).handler(Handlers.ECHO).open())
                .isInstanceOf(java.net.BindException.class)
                .hasMessageStartingWith("cannot listen on " + socket + ": ")
                .hasMessageContaining("No such file or directory")
                .hasMessageContaining("create the directory " + dir.resolve("missing") + " first");
        assertThat(dir.resolve("missing")).doesNotExist();
    }

    @Test
    void listeningOnAUnixPathTooLongSaysSo(@TempDir Path dir) {
        Path socket = dir.resolve("x".repeat(120) + ".sock");
        assertThatThrownBy(() -> StreamServer.builder().bindUnix(socket).handler(Handlers.ECHO).open())
                .isInstanceOf(java.net.BindException.class)
                .hasMessageStartingWith("cannot listen on " + socket + ": ")
                .hasMessageContaining("choose a shorter one");
    }

    @Test
    void framedEchoRoundTripsLinesAndLengthPrefixedFrames() throws Exception {
        for (Framing framing : List.of(Framing.lines(1024), Framing.lengthPrefixed(4, ByteOrder.LITTLE_ENDIAN, 1 << 20))) {
            try (StreamServer server = StreamServer.builder().framing(framing).handler(Handlers.FRAME_ECHO).open()) {
                server.start();
                try (Connection c = Client.builder().framing(framing).readTimeout(WAIT).build()
                        .connect(server.localAddress())) {
                    for (String message : List.of("first", "", "third with spaces", "x".repeat(1000))) {
                        c.sendFrame(bytes(message));
                    }
                    for (String message : List.of("first", "", "third with spaces", "x".repeat(1000))) {
                        assertThat(new String(c.readFrame(), StandardCharsets.UTF_8)).isEqualTo(message);
                    }
                }
            }
        }
    }

    @Test
    void anOversizedFrameClosesOnlyThatConnection() throws Exception {
        List<Throwable> reported = new CopyOnWriteArrayList<>();
        Framing framing = Framing.lengthPrefixed(4, ByteOrder.BIG_ENDIAN, 100);
        try (StreamServer server = StreamServer.builder().framing(framing).handler(Handlers.FRAME_ECHO)
                .onError((p, e) -> reported.add(e)).open()) {
            server.start();
            try (Connection good = Client.builder().framing(framing).readTimeout(WAIT).build()
                    .connect(server.localAddress()); Connection bad = connect(server)) {
                good.sendFrame(bytes("fine"));
                assertThat(good.readFrame()).isEqualTo(bytes("fine"));
                bad.sendAll(new byte[] {0, 0, 1, 0}); // declares 256 bytes
                assertThat(bad.recv(10)).isEmpty();
                good.sendFrame(bytes("still fine"));
                assertThat(good.readFrame()).isEqualTo(bytes("still fine"));
            }
            Await.until("the framing error is counted", () -> server.stats().errors() == 1);
            assertThat(reported).singleElement().satisfies(e ->
                    assertThat(e).isInstanceOf(dev.spindle.codec.FrameTooLargeException.class));
        }
    }

    @Test
    void sendFileDeliversTheWholeFile(@TempDir Path dir) throws Exception {
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new java.util.Random(7).nextBytes(content);
        Path file = Files.write(dir.resolve("blob.bin"), content);
        try (StreamServer server = StreamServer.builder().handler(c -> c.sendFile(file)).open()) {
            server.start();
            try (Connection c = connect(server)) {
                assertThat(c.recvExactly(content.length)).isEqualTo(content);
                assertThat(c.recv(10)).isEmpty();
            }
            Await.until("bytes counted", () -> server.stats().bytesOut() == content.length);
        }
    }

    @Test
    void buffersAreSharedByReadLineRecvExactlyAndTheInputStream() throws Exception {
        ConnectionHandler mixed = c -> {
            String line = c.readLine();
            byte[] four = c.recvExactly(4);
            int b = c.inputStream().read();
            byte[] rest = c.recv(100);
            c.sendAll(bytes(line + "|" + new String(four, StandardCharsets.UTF_8) + "|" + (char) b + "|"
                    + new String(rest, StandardCharsets.UTF_8)));
        };
        try (StreamServer server = StreamServer.builder().handler(mixed).open()) {
            server.start();
            try (Connection c = connect(server)) {
                c.sendAll(bytes("hello line\r\nabcdXyz"));
                c.shutdownOutput();
                assertThat(new String(c.inputStream().readAllBytes(), StandardCharsets.UTF_8))
                        .isEqualTo("hello line|abcd|X|yz");
            }
        }
    }

    @Test
    void recvExactlySaysHowManyBytesCameBeforeTheEnd() throws Exception {
        try (StreamServer server = StreamServer.builder().handler(c -> c.sendAll(bytes("abc"))).open()) {
            server.start();
            try (Connection c = connect(server)) {
                assertThatThrownBy(() -> c.recvExactly(10)).isInstanceOf(EOFException.class)
                        .hasMessageContaining("after 3 of 10");
            }
        }
    }

    @Test
    void readTimeoutThrowsSocketTimeoutAndClosesTheConnection() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (StreamServer server = StreamServer.builder().handler(c -> release.await()).open()) {
            server.start();
            try (Connection c = Client.builder().readTimeout(Duration.ofMillis(100)).build()
                    .connect(server.localAddress())) {
                assertThatThrownBy(() -> c.recv(10)).isInstanceOf(java.net.SocketTimeoutException.class)
                        .hasMessageContaining("timed out");
                assertThat(c.isOpen()).isFalse();
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void statsCountAcceptedBytesAndActive() throws Exception {
        try (StreamServer server = StreamServer.builder().handler(Handlers.ECHO).open()) {
            server.start();
            try (Connection c = connect(server)) {
                assertEchoes(c, "12345");
                assertThat(server.stats().active()).isEqualTo(1);
            }
            Await.until("closed", () -> server.stats().active() == 0);
            assertThat(server.stats()).isEqualTo(new ServerStats(0, 1, 0, 5, 5, 0, 0, 0, 0));
        }
    }

    @Test
    void reusePortLetsTwoServersListenOnOnePort() throws Exception {
        try (StreamServer first = StreamServer.builder().reusePort(true).handler(Handlers.ECHO).open();
             StreamServer second = StreamServer.builder().bind(first.localAddress()).reusePort(true)
                     .handler(Handlers.ECHO).open()) {
            assertThat(second.port()).isEqualTo(first.port());
            first.start();
            second.start();
            for (int i = 0; i < 10; i++) {
                try (Connection c = connect(first)) {
                    assertEchoes(c, "either answers " + i);
                }
            }
            Await.until("both counted", () -> first.stats().accepted() + second.stats().accepted() == 10);
        }
    }

    @Test
    void portZeroReportsTheRealPort() throws Exception {
        try (StreamServer server = StreamServer.builder().bind("127.0.0.1", 0).handler(Handlers.ECHO).open()) {
            assertThat(server.port()).isPositive();
            assertThat(((InetSocketAddress) server.localAddress()).getPort()).isEqualTo(server.port());
        }
    }
}
