package dev.spindle.net;

import dev.spindle.testing.Await;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class EchoUnderEveryModelTest {

    private static final int CLIENTS = 200;
    private static final int MESSAGES = 10;

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of(Model.SYNC, false),
                Arguments.of(Model.THREAD, true),
                Arguments.of(Model.pool(8, CLIENTS), false),
                Arguments.of(Model.VIRTUAL, true));
    }

    /**
     * 200 clients each send ten messages of random bytes and sizes and check every echoed byte.
     * Under THREAD and VIRTUAL all 200 hold their connection open at once (a latch keeps them);
     * a pool of 8 serves them as threads come free; SYNC serves them in turn.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void echoesEveryByteFor200Clients(Model model, boolean allAtOnce) throws Exception {
        try (StreamServer server = StreamServer.builder().model(model).handler(Handlers.ECHO).open()) {
            server.start();
            int port = server.port();
            AtomicLong bytes = new AtomicLong();
            CountDownLatch allConnected = new CountDownLatch(allAtOnce ? CLIENTS : 0);
            if (model == Model.SYNC) {
                for (int i = 0; i < CLIENTS; i++) {
                    bytes.addAndGet(converse(port, i, allConnected));
                }
            } else {
                try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<Long>> results = new ArrayList<>();
                    for (int i = 0; i < CLIENTS; i++) {
                        int seed = i;
                        results.add(clients.submit(() -> converse(port, seed, allConnected)));
                    }
                    for (Future<Long> result : results) {
                        bytes.addAndGet(result.get(60, TimeUnit.SECONDS));
                    }
                }
            }
            Await.until("every connection has ended", () -> server.stats().active() == 0);
            ServerStats stats = server.stats();
            assertThat(stats.accepted()).isEqualTo(CLIENTS);
            assertThat(stats.refused()).isZero();
            assertThat(stats.errors()).isZero();
            assertThat(stats.bytesIn()).isEqualTo(bytes.get());
            assertThat(stats.bytesOut()).isEqualTo(bytes.get());
        }
    }

    private static long converse(int port, int seed, CountDownLatch allConnected) throws Exception {
        Random random = new Random(seed);
        long sent = 0;
        try (Connection c = Client.builder().readTimeout(Duration.ofSeconds(30)).build()
                .connect(new InetSocketAddress("127.0.0.1", port))) {
            for (int m = 0; m < MESSAGES; m++) {
                byte[] message = new byte[1 + random.nextInt(8192)];
                random.nextBytes(message);
                c.sendAll(message);
                assertThat(c.recvExactly(message.length)).isEqualTo(message);
                sent += message.length;
                if (m == 0) {
                    allConnected.countDown();
                    assertThat(allConnected.await(30, TimeUnit.SECONDS))
                            .as("all clients connected at once").isTrue();
                }
            }
        }
        return sent;
    }
}
