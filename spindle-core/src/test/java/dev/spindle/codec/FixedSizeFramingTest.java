package dev.spindle.codec;

import static dev.spindle.codec.Feeds.ascii;
import static dev.spindle.codec.Feeds.asciiBuffer;
import static dev.spindle.codec.Feeds.decodeHex;
import static dev.spindle.codec.Feeds.encodeAll;
import static dev.spindle.codec.Feeds.hex;
import static dev.spindle.codec.Feeds.oneByteAtATime;
import static dev.spindle.codec.Feeds.splitAt;
import static dev.spindle.codec.Feeds.whole;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class FixedSizeFramingTest {

    private static final FixedSizeFraming FRAMING = Framing.fixedSize(5);
    private static final List<byte[]> FRAMES = List.of(
            ascii("hello"),
            new byte[] {0x00, '\r', '\n', (byte) 0xFF, 0x7F},
            ascii("\n\n\n\n\n"));

    @Test
    void encodeReturnsThePayloadAlone() throws FramingException {
        assertThat(hex(encodeAll(FRAMING, FRAMES))).isEqualTo("68656c6c6f" + "000d0aff7f" + "0a0a0a0a0a");
    }

    @Test
    void fixedSizeFramesRoundTripWhenFedWhole() throws FramingException {
        assertThat(decodeHex(FRAMING, whole(encodeAll(FRAMING, FRAMES)))).containsExactlyElementsOf(hex(FRAMES));
    }

    @Test
    void fixedSizeFramesRoundTripWhenSplitAtEveryByteBoundary() throws FramingException {
        byte[] stream = encodeAll(FRAMING, FRAMES);
        for (int cut = 0; cut <= stream.length; cut++) {
            assertThat(decodeHex(FRAMING, splitAt(stream, cut))).as("cut at %d", cut)
                    .containsExactlyElementsOf(hex(FRAMES));
        }
    }

    @Test
    void fixedSizeFramesRoundTripWhenFedOneByteAtATime() throws FramingException {
        assertThat(decodeHex(FRAMING, oneByteAtATime(encodeAll(FRAMING, FRAMES))))
                .containsExactlyElementsOf(hex(FRAMES));
    }

    @Test
    void frameWhollyInsideOneInputIsReturnedAsASliceOfThatInput() throws FramingException {
        ByteBuffer in = asciiBuffer("abcdefgh");
        ByteBuffer frame = FRAMING.newDecoder().decode(in);
        assertThat(frame.array()).isSameAs(in.array());
        assertThat(hex(frame)).isEqualTo(hex(ascii("abcde")));
        assertThat(in.position()).isEqualTo(5);
    }

    @Test
    void encodeRejectsPayloadOfAnotherSize() {
        assertThatThrownBy(() -> FRAMING.encode(asciiBuffer("four")))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageStartingWith("fixed-size frame must be exactly 5 bytes, got 4;");
        assertThatThrownBy(() -> FRAMING.encode(asciiBuffer("sixsix")))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageStartingWith("fixed-size frame must be exactly 5 bytes, got 6;");
    }

    @Test
    void endOfInputInsideAFrameIsTruncated() throws FramingException {
        FrameDecoder<ByteBuffer> decoder = FRAMING.newDecoder();
        ByteBuffer in = asciiBuffer("helloabc");
        assertThat(hex(decoder.decode(in))).isEqualTo(hex(ascii("hello")));
        assertThat(decoder.decode(in)).isNull();
        assertThat(decoder.buffered()).isEqualTo(3);
        assertThatThrownBy(decoder::endOfInput)
                .isInstanceOfSatisfying(TruncatedFrameException.class, e -> assertThat(e.received()).isEqualTo(3))
                .hasMessageStartingWith("input ended 3 bytes into a fixed-size frame");
    }

    @Test
    void endOfInputBetweenFramesReturnsNull() throws FramingException {
        FrameDecoder<ByteBuffer> decoder = FRAMING.newDecoder();
        assertThat(hex(decoder.decode(asciiBuffer("hello")))).isEqualTo(hex(ascii("hello")));
        assertThat(decoder.endOfInput()).isNull();
    }

    @Test
    void sizeBelowOneIsRejected() {
        assertThatThrownBy(() -> Framing.fixedSize(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1 byte, got 0");
    }
}
