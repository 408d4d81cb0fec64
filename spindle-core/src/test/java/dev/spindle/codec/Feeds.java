package dev.spindle.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/** Feeds byte streams to decoders the way sockets deliver them: whole, in two pieces, a byte at a time. */
final class Feeds {

    /** What the reused input buffer is overwritten with between feeds, so a decoder that kept a reference to it sees garbage. */
    static final byte POISON = 0x5A;

    private Feeds() {
    }

    /** The stream as a single piece. */
    static List<byte[]> whole(byte[] stream) {
        return List.of(stream);
    }

    /** The stream cut in two at {@code cut}; either piece may be empty. */
    static List<byte[]> splitAt(byte[] stream, int cut) {
        return List.of(Arrays.copyOfRange(stream, 0, cut), Arrays.copyOfRange(stream, cut, stream.length));
    }

    /** The stream one byte per piece. */
    static List<byte[]> oneByteAtATime(byte[] stream) {
        List<byte[]> pieces = new ArrayList<>();
        for (byte b : stream) {
            pieces.add(new byte[] {b});
        }
        return pieces;
    }

    /**
     * Feeds each piece through one reused input buffer, calling decode until it asks for more,
     * poisons the buffer before the next piece, then ends the input. Returns every frame, each
     * mapped by {@code copy} straight after decode returned it.
     */
    static <T, R> List<R> decodeAll(FrameDecoder<T> decoder, List<byte[]> pieces, Function<? super T, R> copy)
            throws FramingException {
        int largest = pieces.stream().mapToInt(p -> p.length).max().orElse(0);
        ByteBuffer in = ByteBuffer.allocate(Math.max(1, largest));
        List<R> out = new ArrayList<>();
        for (byte[] piece : pieces) {
            in.clear();
            in.put(piece).flip();
            T frame;
            while ((frame = decoder.decode(in)) != null) {
                out.add(copy.apply(frame));
            }
            assertThat(in.remaining()).as("bytes left in the input after decode asked for more").isZero();
            in.clear();
            while (in.hasRemaining()) {
                in.put(POISON);
            }
        }
        T last = decoder.endOfInput();
        if (last != null) {
            out.add(copy.apply(last));
        }
        return out;
    }

    /** Decodes the pieces with a fresh decoder of {@code framing}; each frame as hex. */
    static List<String> decodeHex(Framing framing, List<byte[]> pieces) throws FramingException {
        return decodeAll(framing.newDecoder(), pieces, Feeds::hex);
    }

    /** Concatenates what {@code framing} encodes for each payload, checking encode leaves the payload alone. */
    static byte[] encodeAll(Framing framing, List<byte[]> payloads) throws FramingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] payload : payloads) {
            ByteBuffer buffer = ByteBuffer.wrap(payload);
            for (ByteBuffer part : framing.encode(buffer)) {
                out.writeBytes(bytes(part));
            }
            assertThat(buffer.position()).as("payload position after encode").isZero();
            assertThat(buffer.limit()).as("payload limit after encode").isEqualTo(payload.length);
        }
        return out.toByteArray();
    }

    /** The bytes between position and limit, leaving the buffer alone. */
    static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    static String hex(ByteBuffer buffer) {
        return HexFormat.of().formatHex(bytes(buffer));
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    static List<String> hex(List<byte[]> frames) {
        return frames.stream().map(Feeds::hex).toList();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static ByteBuffer asciiBuffer(String s) {
        return ByteBuffer.wrap(ascii(s));
    }

    static byte[] unhex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    static byte[] repeat(int b, int n) {
        byte[] bytes = new byte[n];
        Arrays.fill(bytes, (byte) b);
        return bytes;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
