package dev.spindle.bench;

import dev.spindle.codec.FrameDecoder;
import dev.spindle.codec.FramingException;
import dev.spindle.codec.Framing;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * Decoding throughput of the framings over a buffer holding many 64-byte messages, as an event
 * loop sees it after one large read. Run: {@code java -jar spindle-bench/target/spindle-bench.jar FramingBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FramingBenchmark {

    private static final int MESSAGES = 256;

    @Param({"lines", "length4le"})
    public String framingName;

    private Framing framing;
    private FrameDecoder<ByteBuffer> decoder;
    private ByteBuffer stream;

    @Setup
    public void setUp() throws FramingException {
        framing = framingName.equals("lines")
                ? Framing.lines(1024) : Framing.lengthPrefixed(4, ByteOrder.LITTLE_ENDIAN, 1024);
        decoder = framing.newDecoder();
        byte[] payload = new byte[64];
        java.util.Arrays.fill(payload, (byte) 'x');
        ByteBuffer out = ByteBuffer.allocate(MESSAGES * 80);
        for (int i = 0; i < MESSAGES; i++) {
            for (ByteBuffer part : framing.encode(ByteBuffer.wrap(payload))) {
                out.put(part);
            }
        }
        stream = out.flip();
    }

    /** Decodes 256 messages; the score is batches per microsecond. */
    @Benchmark
    public void decode256Messages(Blackhole sink) throws FramingException {
        ByteBuffer in = stream.duplicate();
        ByteBuffer frame;
        while ((frame = decoder.decode(in)) != null) {
            sink.consume(frame.remaining());
        }
    }
}
