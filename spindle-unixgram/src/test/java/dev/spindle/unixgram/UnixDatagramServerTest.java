package dev.spindle.unixgram;

import dev.spindle.net.Datagram;
import dev.spindle.net.DatagramClient;
import dev.spindle.net.DatagramServer;
import dev.spindle.net.DatagramTruncatedException;
import dev.spindle.net.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Unix-domain datagrams, through this module's junixsocket provider, under every datagram model. */
class UnixDatagramServerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    static Stream<Model> datagramModels() {
        return Stream.of(Model.SYNC, Model.THREAD, Model.pool(8, 400), Model.VIRTUAL, Model.eventLoop(2));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private DatagramServer echo(Model model, Path socket) throws IOException {
        DatagramServer server = DatagramServer.builder().bindUnix(socket).model(model)
                .handler(d -> d.reply(d.data())).open();
        server.start();
        return server;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("datagramModels")
    void echoesOverAUnixDatagramSocket(Model model) throws Exception {
        Path socket = dir.resolve("echo.sock");
        try (DatagramServer server = echo(model, socket);
             DatagramClient client = DatagramClient.openUnix(dir.resolve("client.sock"))) {
            client.sendTo(bytes("over unix"), server.localAddress());
            Datagram reply = client.receive(WAIT);
            assertThat(reply.data()).isEqualTo(bytes("over unix"));
            assertThat(server.port()).isEqualTo(-1);
        }
        assertThat(socket).as("the server's socket file is removed at close").doesNotExist();
        assertThat(dir.resolve("client.sock")).as("the client's socket file is removed at close").doesNotExist();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("datagramModels")
    void twoHundredConcurrentClientsAreEachAnswered(Model model) throws Exception {
        int clients = 200;
        try (DatagramServer server = echo(model, dir.resolve("many.sock"));
             // Platform threads: junixsocket's native waits would hold a virtual thread's carrier.
             ExecutorService threads = Executors.newFixedThreadPool(clients)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> replies = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String message = "client " + i;
                Path own = dir.resolve("c" + i + ".sock");
                replies.add(threads.submit(() -> {
                    try (DatagramClient client = DatagramClient.openUnix(own)) {
                        go.await();
                        client.sendTo(bytes(message), server.localAddress());
                        return new String(client.receive(WAIT).data(), StandardCharsets.UTF_8);
                    }
                }));
            }
            go.countDown();
            for (int i = 0; i < clients; i++) {
                assertThat(replies.get(i).get(60, TimeUnit.SECONDS)).isEqualTo("client " + i);
            }
            assertThat(server.stats().errors()).as("replies lost").isZero();
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).as("socket files left behind").isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("datagramModels")
    void aSixtyFourKibDatagramComesBackWhole(Model model) throws Exception {
        byte[] big = new byte[64 * 1024];
        new Random(11).nextBytes(big);
        try (DatagramServer server = echo(model, dir.resolve("big.sock"));
             DatagramClient client = DatagramClient.openUnix(dir.resolve("big-client.sock"))) {
            client.sendTo(big, server.localAddress());
            assertThat(client.receive(WAIT).data()).isEqualTo(big);
        }
    }

    @Test
    void aDatagramLongerThanTheMaximumIsReportedNotHandledCutShort() throws Exception {
        List<Throwable> reported = new CopyOnWriteArrayList<>();
        try (DatagramServer server = DatagramServer.builder().bindUnix(dir.resolve("small.sock")).maxDatagramSize(16)
                .onError((peer, t) -> reported.add(t)).handler(d -> d.reply(d.data())).open();
             DatagramClient client = DatagramClient.openUnix(dir.resolve("small-client.sock"))) {
            server.start();
            client.sendTo(new byte[17], server.localAddress());
            client.sendTo(new byte[16], server.localAddress());
            assertThat(client.receive(WAIT).data()).hasSize(16);
            assertThat(server.stats().truncated()).isEqualTo(1);
            assertThat(reported).hasSize(1);
            assertThat(reported.getFirst()).isInstanceOf(DatagramTruncatedException.class);
        }
    }

    @Test
    void aStaleSocketFileIsReplacedAndALiveOneIsNot() throws Exception {
        Path socket = dir.resolve("stale.sock");
        try (DatagramClient leftBehind = DatagramClient.openUnix(socket)) {
            try (DatagramServer refused = DatagramServer.builder().bindUnix(socket).handler(d -> { }).open()) {
                throw new AssertionError("bound over a live socket: " + refused);
            } catch (java.net.BindException expected) {
                assertThat(expected).hasMessageContaining(socket.toString());
            }
        }
        // The client removed its file at close; leave a dead socket file behind as a crash would.
        SocketAddress address = DatagramClient.unixAddress(socket);
        try (java.nio.channels.DatagramChannel dead = new JunixsocketDatagrams().open(socket)) {
            assertThat(dead.getLocalAddress()).isEqualTo(address);
        }
        assertThat(socket).exists();
        try (DatagramServer server = echo(Model.VIRTUAL, socket);
             DatagramClient client = DatagramClient.openUnix(dir.resolve("c.sock"))) {
            client.sendTo(bytes("replaced"), server.localAddress());
            assertThat(client.receive(WAIT).data()).isEqualTo(bytes("replaced"));
        }
    }

    @Test
    void aSocketInAMissingDirectoryIsRefusedNamingThePathAndWhatToDo() {
        Path socket = dir.resolve("missing").resolve("é.sock");
        assertThatThrownBy(() -> DatagramServer.builder().bindUnix(socket).handler(d -> { }).open())
                .isInstanceOf(java.net.BindException.class)
                .hasMessageContaining("cannot listen on " + socket)
                .hasMessageContaining("create the directory " + dir.resolve("missing") + " first");
    }

    @Test
    void anUnboundSenderIsHandledButCannotBeAnswered() throws Exception {
        List<Throwable> reported = new CopyOnWriteArrayList<>();
        CountDownLatch handled = new CountDownLatch(1);
        try (DatagramServer server = DatagramServer.builder().bindUnix(dir.resolve("u.sock"))
                .onError((peer, t) -> reported.add(t))
                .handler(d -> {
                    handled.countDown();
                    assertThatThrownBy(() -> d.reply(d.data())).isInstanceOf(IOException.class)
                            .hasMessageContaining("cannot be answered");
                }).open();
             java.nio.channels.DatagramChannel unbound = new JunixsocketDatagrams().open(null)) {
            server.start();
            unbound.send(java.nio.ByteBuffer.wrap(bytes("anonymous")), server.localAddress());
            assertThat(handled.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(reported).isEmpty();
    }
}
