package dev.spindle.codec;

import static dev.spindle.codec.Feeds.ascii;
import static dev.spindle.codec.Feeds.asciiBuffer;
import static dev.spindle.codec.Feeds.concat;
import static dev.spindle.codec.Feeds.decodeHex;
import static dev.spindle.codec.Feeds.encodeAll;
import static dev.spindle.codec.Feeds.hex;
import static dev.spindle.codec.Feeds.oneByteAtATime;
import static dev.spindle.codec.Feeds.repeat;
import static dev.spindle.codec.Feeds.splitAt;
import static dev.spindle.codec.Feeds.whole;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class DelimiterFramingTest {

    private static final int MAX = 8;

    private static final DelimiterFraming NUL = Framing.delimited(new byte[] {0}, MAX);
    private static final List<byte[]> NUL_FRAMES = List.of(
            ascii("hello"),
            ascii(""),
            ascii("\r\n\r"),
            new byte[] {(byte) 0xFF, 0x01, '\n', (byte) 0x80},
            ascii("12345678"),
            ascii(""));

    // Overlapping delimiter: "aa" may or may not be the start of "aab", which defeats naive scanning.
    private static final DelimiterFraming AAB = Framing.delimited(ascii("aab"), MAX);
    private static final List<byte[]> AAB_FRAMES = List.of(
            ascii("a"),
            ascii("aa"),
            ascii(""),
            ascii("abaa"),
            new byte[] {0x00, '\r', '\n', (byte) 0xFF, 'a'},
            ascii("aaaaaaaa"),
            ascii("ab"));

    @Test
    void encodeAppendsTheDelimiterToEachFrame() throws FramingException {
        assertThat(hex(encodeAll(NUL, NUL_FRAMES)))
                .isEqualTo("68656c6c6f00" + "00" + "0d0a0d00" + "ff010a8000" + "313233343536373800" + "00");
        assertThat(hex(encodeAll(AAB, List.of(ascii("x"), ascii(""))))).isEqualTo("78616162" + "616162");
    }

    @Test
    void nulDelimitedFramesRoundTripWhenFedWhole() throws FramingException {
        assertThat(decodeHex(NUL, whole(encodeAll(NUL, NUL_FRAMES)))).containsExactlyElementsOf(hex(NUL_FRAMES));
    }

    @Test
    void nulDelimitedFramesRoundTripWhenSplitAtEveryByteBoundary() throws FramingException {
        byte[] stream = encodeAll(NUL, NUL_FRAMES);
        for (int cut = 0; cut <= stream.length; cut++) {
            assertThat(decodeHex(NUL, splitAt(stream, cut))).as("cut at %d", cut)
                    .containsExactlyElementsOf(hex(NUL_FRAMES));
        }
    }

    @Test
    void nulDelimitedFramesRoundTripWhenFedOneByteAtATime() throws FramingException {
        assertThat(decodeHex(NUL, oneByteAtATime(encodeAll(NUL, NUL_FRAMES))))
                .containsExactlyElementsOf(hex(NUL_FRAMES));
    }

    @Test
    void multiByteDelimitedFramesRoundTripWhenFedWhole() throws FramingException {
        assertThat(decodeHex(AAB, whole(encodeAll(AAB, AAB_FRAMES)))).containsExactlyElementsOf(hex(AAB_FRAMES));
    }

    @Test
    void multiByteDelimitedFramesRoundTripWhenSplitAtEveryByteBoundary() throws FramingException {
        byte[] stream = encodeAll(AAB, AAB_FRAMES);
        for (int cut = 0; cut <= stream.length; cut++) {
            assertThat(decodeHex(AAB, splitAt(stream, cut))).as("cut at %d", cut)
                    .containsExactlyElementsOf(hex(AAB_FRAMES));
        }
    }

    @Test
    void multiByteDelimitedFramesRoundTripWhenFedOneByteAtATime() throws FramingException {
        assertThat(decodeHex(AAB, oneByteAtATime(encodeAll(AAB, AAB_FRAMES))))
                .containsExactlyElementsOf(hex(AAB_FRAMES));
    }

    @Test
    void delimiterSplitAcrossInputsIsFound() throws FramingException {
        FrameDecoder<ByteBuffer> decoder = Framing.delimited(ascii("\r\n\r\n"), 64).newDecoder();
        assertThat(decoder.decode(asciiBuffer("GET / HTTP/1.0\r\n\r"))).isNull();
        assertThat(decoder.buffered()).isEqualTo(17);
        ByteBuffer in = asciiBuffer("\nnext");
        assertThat(hex(decoder.decode(in))).isEqualTo(hex(ascii("GET / HTTP/1.0")));
        assertThat(decoder.buffered()).isZero();
        assertThat(decoder.decode(in)).isNull();
        assertThat(decoder.decode(asciiBuffer("\r\n"))).isNull();
        assertThat(decoder.buffered()).isEqualTo(6);
        assertThat(hex(decoder.decode(asciiBuffer("\r\n")))).isEqualTo(hex(ascii("next")));
    }

    @Test
    void failedPartialMatchFallsBackWithoutLosingBytesWhereverTheStreamIsSplit() throws FramingException {
        // "abab" + "abac": the scan must fall back from "aba" to "a" on the second 'b', not restart.
        DelimiterFraming framing = Framing.delimited(ascii("abac"), MAX);
        byte[] stream = ascii("abababacxabac");
        List<String> expected = hex(List.of(ascii("abab"), ascii("x")));
        for (int cut = 0; cut <= stream.length; cut++) {
            assertThat(decodeHex(framing, splitAt(stream, cut))).as("cut at %d", cut)
                    .containsExactlyElementsOf(expected);
        }
        assertThat(decodeHex(framing, oneByteAtATime(stream))).containsExactlyElementsOf(expected);
    }

    @Test
    void frameTooLargeIsRaisedBeforeTheDelimiterArrives() throws FramingException {
        FrameDecoder<ByteBuffer> decoder = Framing.delimited(ascii("\r\n"), 4).newDecoder();
        for (byte b : ascii("abcd\r")) {
            assertThat(decoder.decode(ByteBuffer.wrap(new byte[] {b}))).isNull();
        }
        assertThat(decoder.buffered()).isEqualTo(5);
        assertThatThrownBy(() -> decoder.decode(asciiBuffer("x")))
                .isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
                    assertThat(e.size()).isEqualTo(6);
                    assertThat(e.maxSize()).isEqualTo(4);
                })
                .hasMessageStartingWith("delimited frame of 6 bytes exceeds the maximum of 4 bytes");

        FrameDecoder<ByteBuffer> fresh = Framing.delimited(ascii("\r\n"), 4).newDecoder();
        assertThatThrownBy(() -> fresh.decode(asciiBuffer("abcde")))
                .isInstanceOfSatisfying(FrameTooLargeException.class, e -> assertThat(e.size()).isEqualTo(5));
    }

    @Test
    void frameOfExactlyMaxSizeIsAcceptedWhenTheDelimiterStraddlesInputs() throws FramingException {
        FrameDecoder<ByteBuffer> decoder = Framing.delimited(ascii("\r\n"), 4).newDecoder();
        assertThat(decoder.decode(asciiBuffer("abcd\r"))).isNull();
        assertThat(hex(decoder.decode(asciiBuffer("\n")))).isEqualTo(hex(ascii("abcd")));
    }

    @Test
    void endOfInputInsideAFrameIsTruncated() throws FramingException {
        FrameDecoder<ByteBuffer> decoder = NUL.newDecoder();
        ByteBuffer in = asciiBuffer("ok\0ab");
        assertThat(hex(decoder.decode(in))).isEqualTo(hex(ascii("ok")));
        assertThat(decoder.decode(in)).isNull();
        assertThat(decoder.decode(asciiBuffer("c"))).isNull();
        assertThatThrownBy(decoder::endOfInput)
                .isInstanceOfSatisfying(TruncatedFrameException.class, e -> assertThat(e.received()).isEqualTo(3))
                .hasMessage("input ended 3 bytes into a delimited frame; the peer closed before sending the whole frame");
    }

    @Test
    void endOfInputBetweenFramesReturnsNull() throws FramingException {
        FrameDecoder<ByteBuffer> decoder = NUL.newDecoder();
        assertThat(hex(decoder.decode(asciiBuffer("ok\0")))).isEqualTo(hex(ascii("ok")));
        assertThat(decoder.endOfInput()).isNull();
    }

    @Test
    void frameWhollyInsideOneInputIsReturnedAsASliceOfThatInput() throws FramingException {
        ByteBuffer in = asciiBuffer("abc\0");
        ByteBuffer frame = NUL.newDecoder().decode(in);
        assertThat(frame.array()).isSameAs(in.array());
        assertThat(hex(frame)).isEqualTo(hex(ascii("abc")));
        assertThat(in.position()).isEqualTo(4);
    }

    @Test
    void encodeRejectsPayloadContainingTheDelimiter() {
        assertThatThrownBy(() -> Framing.delimited(ascii("\r\n"), MAX).encode(asciiBuffer("ab\r\ncd")))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("0d 0a starting at offset 2");
    }

    @Test
    void encodeRejectsPayloadWhoseEndMakesAnEarlierDelimiterWithTheAppendedOne() throws FramingException {
        DelimiterFraming framing = Framing.delimited(ascii("aba"), MAX);
        // The receiver would cut "xababa" after "x", so "xab" cannot be sent.
        assertThat(hex(framing.newDecoder().decode(ByteBuffer.wrap(ascii("xababa"))))).isEqualTo(hex(ascii("x")));
        assertThatThrownBy(() -> framing.encode(asciiBuffer("xab")))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("starting at offset 1");
        assertThat(hex(encodeAll(framing, List.of(ascii("xa"))))).isEqualTo(hex(ascii("xaaba")));
    }

    @Test
    void encodeRejectsPayloadOverMaximum() {
        assertThatThrownBy(() -> NUL.encode(ByteBuffer.wrap(repeat('x', MAX + 1))))
                .isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
                    assertThat(e.size()).isEqualTo(MAX + 1);
                    assertThat(e.maxSize()).isEqualTo(MAX);
                });
    }

    @Test
    void delimiterIsCopiedSoCallersCannotChangeIt() throws FramingException {
        byte[] delimiter = ascii("|");
        DelimiterFraming framing = Framing.delimited(delimiter, MAX);
        delimiter[0] = '#';
        framing.delimiter()[0] = '#';
        ByteBuffer[] encoded = framing.encode(asciiBuffer("a"));
        assertThat(encoded[1].isReadOnly()).isTrue();
        assertThat(hex(encoded[1])).isEqualTo(hex(ascii("|")));
        assertThat(decodeHex(framing, whole(ascii("a|")))).containsExactly(hex(ascii("a")));
    }

    @Test
    void emptyDelimiterIsRejected() {
        assertThatThrownBy(() -> Framing.delimited(new byte[0], MAX))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one byte");
    }

    @Test
    void longFrameArrivingOneByteAtATimeCostsLinearWork() throws FramingException {
        int length = 1 << 20;
        // Every 'a' keeps a partial match alive, the worst case for rescanning.
        PendingBytes pending = new PendingBytes();
        FrameDecoder<ByteBuffer> decoder = Framing.delimited(ascii("aaaaaaab"), length).newDecoder(pending);
        LinearWork.feedOneByteAtATime(decoder, pending, length, i -> 'a');
        ByteBuffer frame = decoder.decode(ByteBuffer.wrap(concat(repeat('a', 7), ascii("b"))));
        LinearWork.assertLinear(pending, length + 8L);
        assertThat(frame.remaining()).isEqualTo(length);
        for (int i = 0; i < length; i++) {
            if (frame.get(i) != 'a') {
                throw new AssertionError("byte " + i + " is " + frame.get(i));
            }
        }
        assertThat(decoder.buffered()).isZero();
    }
}
