package dev.spindle.net;

import dev.spindle.testing.Await;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One meaning of the idle timeout under every model: a connection is idle when no byte has moved
 * either way for that long. One that only receives, steadily, is not idle; a silent one is.
 */
class IdleTimeoutMeaningTest {

    private static final Duration IDLE = Duration.ofMillis(400);
    private static final int PIECES = 12;

    /** Sends a piece every 100 ms and never reads: a server busy talking to a peer that says nothing. */
    private static final class Talker implements Protocol {
        private final ScheduledExecutorService timer;

        Talker(ScheduledExecutorService timer) {
            this.timer = timer;
        }

        @Override
        public void connectionMade(Transport transport) {
            for (int i = 1; i <= PIECES; i++) {
                timer.schedule(() -> transport.write(ByteBuffer.wrap(new byte[100])), i * 100L, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void dataReceived(ByteBuffer data) {
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.spindle.net.Models#every")
    void aConnectionThatOnlyReceivesSteadilyIsNotIdleAndASilentOneIs(Model model) throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (StreamServer server = StreamServer.builder().model(model).idleTimeout(IDLE)
                .protocol(() -> new Talker(timer)).open()) {
            server.start();
            try (Connection listener = Client.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                listener.readTimeout(Duration.ofSeconds(10));
                assertThat(listener.recvExactly(PIECES * 100)).as("every piece, over three idle timeouts").hasSize(PIECES * 100);
                assertThat(server.stats().timedOut()).as("timed out while it was talking").isZero();
                // Now nothing moves either way: the server closes it.
                assertThat(listener.recv(1)).as("end of stream once idle").isEmpty();
            }
            Await.until("the idle connection is counted", () -> server.stats().timedOut() == 1);
        } finally {
            timer.shutdownNow();
        }
    }
}
