package dev.spindle.net;

import dev.spindle.testing.Await;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Transport#pauseReading()} holds back {@link Protocol#dataReceived} until
 * {@link Transport#resumeReading()}, also when the pause comes from outside the protocol's own
 * callbacks while a read is already under way.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PauseReadingUnderEveryModelTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    static Stream<Model> models() {
        return Models.every();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Echoes, and records every chunk that arrives while the test says reading is paused. */
    private static class Recorder implements Protocol {
        final AtomicReference<Transport> transport = new AtomicReference<>();
        final List<String> whilePaused = new CopyOnWriteArrayList<>();
        volatile boolean paused;
        volatile Thread thread;

        @Override
        public void connectionMade(Transport t) {
            transport.set(t);
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            thread = Thread.currentThread();
            if (paused) {
                whilePaused.add(StandardCharsets.UTF_8.decode(data.duplicate()).toString());
            }
            transport.get().write(data);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void aPauseFromAnotherThreadHoldsBackTheReadAlreadyUnderWayUntilResumed(Model model) throws Exception {
        Recorder recorder = new Recorder();
        try (StreamServer server = StreamServer.builder().model(model).protocol(() -> recorder).open()) {
            server.start();
            try (Connection c = Client.builder().readTimeout(WAIT).build().connect(server.localAddress())) {
                Transport transport = sendWhileAReadIsUnderWayAndPaused(model, recorder, server, c);
                recorder.paused = false;
                transport.resumeReading();
                assertThat(c.recvExactly(4)).isEqualTo(bytes("data"));
                assertThat(recorder.whilePaused).as("chunks delivered while paused").isEmpty();
            }
        }
    }

    /**
     * A protocol that resumes reading from {@code writabilityChanged(true)} gets the read held for
     * it after that call returns: never a {@code dataReceived} inside another of its own calls.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("nonBlockingModels")
    void aResumeFromWritabilityChangedDeliversTheHeldReadAfterThatCallReturns(Model model) throws Exception {
        List<String> nested = new CopyOnWriteArrayList<>();
        Recorder recorder = new Recorder() {
            private int depth;

            @Override
            public void dataReceived(ByteBuffer data) {
                if (depth > 0) {
                    nested.add(StandardCharsets.UTF_8.decode(data.duplicate()).toString());
                }
                depth++;
                try {
                    super.dataReceived(data);
                } finally {
                    depth--;
                }
            }

            @Override
            public void writabilityChanged(boolean writable) {
                depth++;
                try {
                    if (writable) {
                        paused = false;
                        transport.get().resumeReading();
                    }
                } finally {
                    depth--;
                }
            }
        };
        try (StreamServer server = StreamServer.builder().model(model).protocol(() -> recorder).open()) {
            server.start();
            try (Connection c = Client.builder().readTimeout(WAIT).build().connect(server.localAddress())) {
                Transport transport = sendWhileAReadIsUnderWayAndPaused(model, recorder, server, c);
                // Past the high water mark and back: the protocol resumes from writabilityChanged(true).
                byte[] big = new byte[16 * 1024 * 1024];
                transport.write(ByteBuffer.wrap(big));
                // Read nothing until the buffer is past the mark: a reader draining loopback at once
                // can let one write take nearly all of it, and then the buffer never passes the mark.
                Await.until("the transport is past its high water mark", () -> !transport.isWritable());
                assertThat(c.recvExactly(big.length)).hasSize(big.length);
                assertThat(c.recvExactly(4)).isEqualTo(bytes("data"));
                assertThat(nested).as("data delivered inside another call of the protocol").isEmpty();
                assertThat(recorder.whilePaused).isEmpty();
            }
        }
    }

    static Stream<Model> nonBlockingModels() {
        return Models.every().filter(Model::nonBlocking);
    }

    /**
     * Echoes "hi", pauses reading from this thread while the next read is under way, then sends
     * "data", which that read takes (every model but the event loop, which reads nothing from a
     * paused socket) and holds for the protocol until it resumes.
     */
    private static Transport sendWhileAReadIsUnderWayAndPaused(Model model, Recorder recorder, StreamServer server,
            Connection c) throws Exception {
        c.sendAll(bytes("hi"));
        assertThat(c.recvExactly(2)).isEqualTo(bytes("hi"));
        Transport transport = recorder.transport.get();
        if (!model.nonBlocking()) {
            Await.until("the handler's thread is blocked in its next read", () -> blockedInRead(recorder.thread));
        }
        // Under ASYNC the next read starts before the lock that pauseReading takes is free.
        recorder.paused = true;
        transport.pauseReading();
        // Writes from another thread are handed over in order, after the pause: once this
        // marker arrives, the pause has taken effect under every model.
        transport.write(ByteBuffer.wrap(bytes("paused")));
        assertThat(c.recvExactly(6)).isEqualTo(bytes("paused"));
        long before = server.stats().bytesIn();
        c.sendAll(bytes("data"));
        if (!model.name().equals("event-loop")) {
            Await.until("the read under way has completed", () -> server.stats().bytesIn() == before + 4);
        }
        return transport;
    }

    private static boolean blockedInRead(Thread thread) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getClassName().equals(ChannelConnection.class.getName())
                    && frame.getMethodName().equals("recvInto")) {
                return true;
            }
        }
        return false;
    }
}
