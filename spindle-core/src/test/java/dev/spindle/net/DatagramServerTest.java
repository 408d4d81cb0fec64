package dev.spindle.net;

import dev.spindle.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
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

class DatagramServerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** The most a UDP datagram carries over IPv4: 65,535 less the IP and UDP headers. */
    private static final int LARGEST_UDP_IPV4 = 65_507;

    /** Every model a datagram server runs under. */
    static Stream<Model> datagramModels() {
        return Stream.of(Model.SYNC, Model.THREAD, Model.pool(8, 400), Model.VIRTUAL, Model.eventLoop(2));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static DatagramServer echo(Model model, String host) throws IOException {
        DatagramServer server = DatagramServer.builder().bind(host, 0).model(model)
                .handler(d -> d.reply(d.data())).open();
        server.start();
        return server;
    }

    /** Sends and waits for the echo; UDP may lose a datagram, so a client tries three times, as a real one would. */
    private static byte[] roundTrip(DatagramClient client, byte[] message, SocketAddress to) throws IOException {
        for (int attempt = 1; ; attempt++) {
            client.sendTo(message, to);
            try {
                return client.receive(Duration.ofSeconds(3)).data();
            } catch (SocketTimeoutException lost) {
                if (attempt == 3) {
                    throw lost;
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("datagramModels")
    void echoesOverUdpOnIpv4AndIpv6(Model model) throws Exception {
        for (String host : List.of("127.0.0.1", "::1")) {
            try (DatagramServer server = echo(model, host); DatagramClient client = DatagramClient.open()) {
                Datagram reply;
                client.sendTo(bytes("hello " + host), server.localAddress());
                reply = client.receive(WAIT);
                assertThat(new String(reply.data(), StandardCharsets.UTF_8)).isEqualTo("hello " + host);
                assertThat(reply.sender()).isEqualTo(server.localAddress());
                Await.until("the reply is counted", () -> server.stats().sent() == 1);
                assertThat(server.stats().received()).isEqualTo(1);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("datagramModels")
    void twoHundredConcurrentClientsAreEachAnswered(Model model) throws Exception {
        int clients = 200;
        try (DatagramServer server = echo(model, "127.0.0.1");
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> replies = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String message = "client " + i;
                replies.add(threads.submit(() -> {
                    try (DatagramClient client = DatagramClient.open()) {
                        go.await();
                        return new String(roundTrip(client, bytes(message), server.localAddress()),
                                StandardCharsets.UTF_8);
                    }
                }));
            }
            go.countDown();
            for (int i = 0; i < clients; i++) {
                assertThat(replies.get(i).get(60, TimeUnit.SECONDS)).isEqualTo("client " + i);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("datagramModels")
    void theLargestUdpDatagramComesBackWhole(Model model) throws Exception {
        byte[] big = new byte[LARGEST_UDP_IPV4];
        new Random(7).nextBytes(big);
        try (DatagramServer server = echo(model, "127.0.0.1"); DatagramClient client = DatagramClient.open()) {
            assertThat(roundTrip(client, big, server.localAddress())).isEqualTo(big);
        }
    }

    @Test
    void aDatagramLongerThanTheMaximumIsReportedAndDroppedNotHandledCutShort() throws Exception {
        List<Throwable> reported = new CopyOnWriteArrayList<>();
        List<Integer> handled = new CopyOnWriteArrayList<>();
        try (DatagramServer server = DatagramServer.builder().maxDatagramSize(100)
                .onError((peer, t) -> reported.add(t))
                .handler(d -> {
                    handled.add(d.data().length);
                    d.reply(d.data());
                }).open();
             DatagramClient client = DatagramClient.open()) {
            server.start();
            client.sendTo(new byte[101], server.localAddress());
            Await.until("the truncation is counted", () -> server.stats().truncated() == 1);
            assertThat(reported).hasSize(1);
            assertThat(reported.getFirst()).isInstanceOf(DatagramTruncatedException.class)
                    .hasMessageContaining("longer than 100 bytes");
            assertThat(roundTrip(client, new byte[100], server.localAddress())).hasSize(100);
            assertThat(handled).containsExactly(100);
        }
    }

    @Test
    void aClientReceivingIntoTooSmallABufferIsToldTheDatagramWasCutShort() throws Exception {
        try (DatagramServer server = echo(Model.VIRTUAL, "127.0.0.1"); DatagramClient client = DatagramClient.open()) {
            client.sendTo(new byte[50], server.localAddress());
            assertThatThrownBy(() -> client.receive(10, WAIT))
                    .isInstanceOf(DatagramTruncatedException.class).hasMessageContaining("longer than 10 bytes");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("datagramModels")
    void aFailingHandlerIsCountedAndTheServerGoesOn(Model model) throws Exception {
        List<Throwable> reported = new CopyOnWriteArrayList<>();
        try (DatagramServer server = DatagramServer.builder().model(model).onError((peer, t) -> reported.add(t))
                .handler(d -> {
                    if (new String(d.data(), StandardCharsets.UTF_8).equals("boom")) {
                        throw new IllegalStateException("the handler failed on purpose");
                    }
                    d.reply(d.data());
                }).open();
             DatagramClient client = DatagramClient.open()) {
            server.start();
            client.sendTo(bytes("boom"), server.localAddress());
            Await.until("the failure is counted", () -> server.stats().errors() == 1);
            assertThat(reported).hasSize(1);
            assertThat(reported.getFirst()).hasMessage("the handler failed on purpose");
            assertThat(roundTrip(client, bytes("still here"), server.localAddress())).isEqualTo(bytes("still here"));
        }
    }

    @Test
    void shutdownLetsARunningHandlerFinishAndSendItsReply() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (DatagramServer server = DatagramServer.builder().handler(d -> {
                    started.countDown();
                    release.await();
                    d.reply(bytes("late"));
                }).open();
             DatagramClient client = DatagramClient.open()) {
            server.start();
            client.sendTo(bytes("x"), server.localAddress());
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            Future<Boolean> shutdown = Executors.newVirtualThreadPerTaskExecutor()
                    .submit(() -> server.shutdown(Duration.ofSeconds(10)));
            Await.until("the server is shutting down", () -> server.state() == DatagramServer.State.SHUTTING_DOWN);
            release.countDown();
            assertThat(client.receive(WAIT).data()).isEqualTo(bytes("late"));
            assertThat(shutdown.get(20, TimeUnit.SECONDS)).as("finished within the grace").isTrue();
            assertThat(server.state()).isEqualTo(DatagramServer.State.CLOSED);
            Await.until("the receiving thread is gone", () -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith(server.name() + "-recv-")));
        }
    }

    @Test
    void aFullPoolDropsAndCountsWhenItRefusesWhenFull() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (DatagramServer server = DatagramServer.builder().model(Model.pool(1, 0)).whenFull(WhenFull.REFUSE)
                .handler(d -> {
                    release.await();
                    d.reply(d.data());
                }).open();
             DatagramClient client = DatagramClient.open()) {
            server.start();
            client.sendTo(bytes("first"), server.localAddress());
            Await.until("the first is being handled", () -> server.stats().inFlight() == 1);
            client.sendTo(bytes("second"), server.localAddress());
            Await.until("the second is dropped", () -> server.stats().dropped() == 1);
            release.countDown();
            assertThat(client.receive(WAIT).data()).isEqualTo(bytes("first"));
        }
    }

    @Test
    void aFullPoolHoldsTheReceiverBackByDefaultAndAnswersEveryone() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (DatagramServer server = DatagramServer.builder().model(Model.pool(1, 0))
                .handler(d -> {
                    release.await();
                    d.reply(d.data());
                }).open();
             DatagramClient client = DatagramClient.open()) {
            server.start();
            for (int i = 0; i < 5; i++) {
                client.sendTo(bytes("m" + i), server.localAddress());
            }
            Await.until("the first is being handled", () -> server.stats().inFlight() == 1);
            release.countDown();
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                got.add(new String(client.receive(WAIT).data(), StandardCharsets.UTF_8));
            }
            assertThat(got).containsExactlyInAnyOrder("m0", "m1", "m2", "m3", "m4");
            assertThat(server.stats().dropped()).isZero();
        }
    }

    @Test
    void aConnectedClientSendsAndReceivesFromItsPeerOnly() throws Exception {
        try (DatagramServer server = echo(Model.VIRTUAL, "127.0.0.1");
             DatagramClient client = DatagramClient.connect(server.localAddress())) {
            client.send(bytes("connected"));
            assertThat(client.receive(WAIT).data()).isEqualTo(bytes("connected"));
        }
    }

    @Test
    void receiveTimesOutAndZeroMeansDoNotWait() throws Exception {
        try (DatagramClient client = DatagramClient.open()) {
            assertThatThrownBy(() -> client.receive(Duration.ofMillis(50))).isInstanceOf(SocketTimeoutException.class);
            assertThatThrownBy(() -> client.receive(Duration.ZERO)).isInstanceOf(SocketTimeoutException.class);
            assertThatThrownBy(() -> client.receive(Duration.ofSeconds(-1))).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void theAsyncModelIsRefusedWithTheReason() {
        assertThatThrownBy(() -> DatagramServer.builder().model(Model.ASYNC).handler(d -> { }).open())
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("no datagram form");
    }

    @Test
    void aUnixAddressWithoutTheUnixgramModuleNamesTheModuleToAdd() {
        assertThatThrownBy(() -> DatagramServer.builder().bindUnix(java.nio.file.Path.of("/tmp/none.sock"))
                .handler(d -> { }).open())
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("spindle-unixgram");
    }

    @Test
    void theEventLoopModelSpreadsOneUdpPortOverItsLoops() throws Exception {
        try (DatagramServer server = echo(Model.eventLoop(3), "127.0.0.1")) {
            assertThat(Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith(server.name() + "-recv-"))).hasSize(3);
            try (DatagramClient client = DatagramClient.open()) {
                assertThat(roundTrip(client, bytes("spread"), server.localAddress())).isEqualTo(bytes("spread"));
            }
        }
    }
}
