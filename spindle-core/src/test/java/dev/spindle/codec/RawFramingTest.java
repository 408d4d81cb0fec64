package dev.spindle.codec;

import static dev.spindle.codec.Feeds.ascii;
import static dev.spindle.codec.Feeds.asciiBuffer;
import static dev.spindle.codec.Feeds.decodeHex;
import static dev.spindle.codec.Feeds.hex;
import static dev.spindle.codec.Feeds.oneByteAtATime;
import static dev.spindle.codec.Feeds.splitAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class RawFramingTest {

    private static final Framing FRAMING = Framing.raw(4);

    @Test
    void eachReadIsCutIntoSlicesOfAtMostMaxChunk() throws FramingException {
        FrameDecoder<ByteBuffer> decoder = FRAMING.newDecoder();
        ByteBuffer in = asciiBuffer("abcdefghij");
        ByteBuffer first = decoder.decode(in);
        ByteBuffer second = decoder.decode(in);
        ByteBuffer third = decoder.decode(in);
        assertThat(List.of(hex(first), hex(second), hex(third)))
                .containsExactly(hex(ascii("abcd")), hex(ascii("efgh")), hex(ascii("ij")));
        assertThat(first.array()).isSameAs(in.array());
        assertThat(third.array()).isSameAs(in.array());
        assertThat(decoder.decode(in)).isNull();
        assertThat(decoder.buffered()).isZero();
        assertThat(decoder.endOfInput()).isNull();
    }

    @Test
    void rawChunksConcatenateToTheStreamWhereverItIsSplit() throws FramingException {
        byte[] stream = ascii("0123456789\r\n\0");
        for (int cut = 0; cut <= stream.length; cut++) {
            List<String> chunks = decodeHex(FRAMING, splitAt(stream, cut));
            assertThat(String.join("", chunks)).as("cut at %d", cut).isEqualTo(hex(stream));
            assertThat(chunks).as("cut at %d", cut).allSatisfy(c -> assertThat(c.length()).isBetween(2, 8));
        }
        assertThat(decodeHex(FRAMING, oneByteAtATime(stream))).hasSize(stream.length);
    }

    @Test
    void encodeReturnsAnIndependentViewOfThePayload() throws FramingException {
        ByteBuffer payload = asciiBuffer("abcd");
        ByteBuffer[] encoded = FRAMING.encode(payload);
        assertThat(encoded).hasSize(1);
        encoded[0].position(4);
        assertThat(payload.position()).isZero();
        assertThat(hex(payload)).isEqualTo(hex(ascii("abcd")));
    }

    @Test
    void encodeRejectsPayloadOverMaxChunk() {
        assertThatThrownBy(() -> FRAMING.encode(asciiBuffer("abcde")))
                .isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
                    assertThat(e.size()).isEqualTo(5);
                    assertThat(e.maxSize()).isEqualTo(4);
                });
    }

    @Test
    void maxChunkBelowOneIsRejected() {
        assertThatThrownBy(() -> Framing.raw(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 0");
    }
}
