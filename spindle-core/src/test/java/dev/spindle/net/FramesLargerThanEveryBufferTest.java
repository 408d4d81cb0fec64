package dev.spindle.net;

import dev.spindle.testing.Await;

import dev.spindle.codec.Framing;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Frames larger than every buffer a connection passes through (the event loop's 64 KiB read
 * buffer, the async model's 4 KiB one, a blocking connection's 16 KiB one, the 64 KiB high water
 * mark), echoed under every model and every framing, checked byte for byte and in order. A
 * transport that reuses its read buffer while a decoder still reads it fails here.
 */
class FramesLargerThanEveryBufferTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The size that broke the async model: with its 4-byte prefix, one byte past 64 KiB. */
    private static final int PAST_64_KIB = 65_533;

    /** A framing, and the frames to send through it. */
    record Case(String name, Framing framing, List<byte[]> frames) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Model> models() {
        return Models.every();
    }

    static List<Case> framings() {
        int mib = 1 << 20;
        return List.of(
                new Case("raw", Framing.raw(64 * 1024), frames(100, i -> PAST_64_KIB, 1, 0)),
                new Case("lines", Framing.lines(mib), frames(40, i -> 65_536 + 37 * i, 2, '\n', '\r')),
                new Case("delimited", Framing.delimited(new byte[] {0, 0}, mib), frames(40, i -> 65_536 + 101 * i, 3, 0)),
                new Case("length-prefixed, 1 byte", Framing.lengthPrefixed(1, ByteOrder.BIG_ENDIAN, 255),
                        frames(2_000, i -> 255 - i % 3, 4)),
                new Case("length-prefixed, 2 bytes", Framing.lengthPrefixed(2, ByteOrder.LITTLE_ENDIAN, 0xFFFF),
                        frames(100, i -> 0xFFFF, 5)),
                new Case("length-prefixed, 4 bytes LE", Framing.lengthPrefixed(4, ByteOrder.LITTLE_ENDIAN, 16 * mib),
                        frames(100, i -> PAST_64_KIB, 6)),
                new Case("length-prefixed, 8 bytes BE", Framing.lengthPrefixed(8, ByteOrder.BIG_ENDIAN, 16 * mib),
                        frames(60, i -> switch (i % 3) {
                            case 0 -> PAST_64_KIB;
                            case 1 -> 300_000;
                            default -> 1;
                        }, 7)),
                new Case("fixed size", Framing.fixedSize(65_537), frames(100, i -> 65_537, 8)));
    }

    static Stream<Arguments> modelsAndFramings() {
        return models().flatMap(model -> framings().stream().map(c -> Arguments.of(model, c)));
    }

    /** Random bytes of the given sizes, none of them one a framing reserves as its terminator. */
    private static List<byte[]> frames(int count, IntUnaryOperator size, long seed, int... excluded) {
        Random random = new Random(seed);
        List<byte[]> frames = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] frame = new byte[size.applyAsInt(i)];
            random.nextBytes(frame);
            for (int j = 0; j < frame.length; j++) {
                for (int x : excluded) {
                    if (frame[j] == (byte) x) {
                        frame[j] = (byte) ('A' + random.nextInt(26)); // no framing reserves a letter
                    }
                }
            }
            frames.add(frame);
        }
        return frames;
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("modelsAndFramings")
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void framesLargerThanEveryInternalBufferComeBackWholeAndInOrder(Model model, Case c) throws Exception {
        try (StreamServer server = StreamServer.builder().model(model)
                .protocol(() -> EchoProtocol.framed(c.framing(), false)).open()) {
            server.start();
            try (Connection client = Client.builder().framing(c.framing()).readTimeout(WAIT).build()
                    .connect(server.localAddress())) {
                // Sent from another thread: the echo comes back while the rest is still going out.
                CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                    try {
                        for (byte[] frame : c.frames()) {
                            client.sendFrame(frame);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }, command -> Thread.ofVirtual().name("test-sender").start(command));
                if (c.name().equals("raw")) {
                    assertRawStreamComesBack(client, c.frames());
                } else {
                    for (int i = 0; i < c.frames().size(); i++) {
                        byte[] frame = client.readFrame();
                        assertThat(frame).as("frame %d of %d", i, c.frames().size()).isNotNull();
                        assertThat(frame.length).as("length of frame %d", i).isEqualTo(c.frames().get(i).length);
                        assertThat(Arrays.mismatch(frame, c.frames().get(i))).as("first wrong byte of frame %d", i)
                                .isEqualTo(-1);
                    }
                }
                sent.get(30, TimeUnit.SECONDS);
            }
            Await.until("the connection has ended", () -> server.stats().active() == 0);
            assertThat(server.stats().errors()).as("errors").isZero();
        }
    }

    /** Raw frames are cut wherever reads fall, so the check is on the stream: every byte, in order. */
    private static void assertRawStreamComesBack(Connection client, List<byte[]> frames) throws IOException {
        long offset = 0;
        for (byte[] frame : frames) {
            byte[] back = client.recvExactly(frame.length);
            assertThat(Arrays.mismatch(back, frame)).as("first wrong byte after %d good ones", offset).isEqualTo(-1);
            offset += frame.length;
        }
    }
}
