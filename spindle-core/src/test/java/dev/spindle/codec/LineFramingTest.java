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

class LineFramingTest {

    private static final int MAX = 16;
    private static final LineFraming FRAMING = Framing.lines(MAX);

    private static final List<byte[]> FRAMES = List.of(
            ascii("hello"),
            ascii(""),
            ascii("a\rb\r c"),
            new byte[] {0x00, (byte) 0xFF, '\r', 0x7F, (byte) 0x80},
            ascii("0123456789abcdef"),
            ascii(""));

    private static final byte[] STREAM = concat(
            ascii("hello\n\na\rb\r c\n"),
            new byte[] {0x00, (byte) 0xFF, '\r', 0x7F, (byte) 0x80, '\n'},
            ascii("0123456789abcdef\n\n"));

    @Test
    void encodeAppendsNewlineToEachLine() throws FramingException {
        assertThat(hex(encodeAll(FRAMING, FRAMES))).isEqualTo(hex(STREAM));
    }

    @Test
    void linesRoundTripWhenFedWhole() throws FramingException {
        assertThat(decodeHex(FRAMING, whole(encodeAll(FRAMING, FRAMES)))).containsExactlyElementsOf(hex(FRAMES));
    }

    @Test
    void linesRoundTripWhenSplitAtEveryByteBoundary() throws FramingException {
        byte[] stream = encodeAll(FRAMING, FRAMES);
        for (int cut = 0; cut <= stream.length; cut++) {
            assertThat(decodeHex(FRAMING, splitAt(stream, cut))).as("cut at %d", cut)
                    .containsExactlyElementsOf(hex(FRAMES));
        }
    }

    @Test
    void linesRoundTripWhenFedOneByteAtATime() throws FramingException {
        assertThat(decodeHex(FRAMING, oneByteAtATime(encodeAll(FRAMING, FRAMES))))
                .containsExactlyElementsOf(hex(FRAMES));
    }

    @Test
    void crLfAndLfTerminatorsAreBothDroppedWhereverTheStreamIsSplit() throws FramingException {
        byte[] stream = ascii("one\r\ntwo\n\r\nlast\r");
        List<String> expected = hex(List.of(ascii("one"), ascii("two"), ascii(""), ascii("last\r")));
        for (int cut = 0; cut <= stream.length; cut++) {
            assertThat(decodeHex(FRAMING, splitAt(stream, cut))).as("cut at %d", cut)
                    .containsExactlyElementsOf(expected);
        }
        assertThat(decodeHex(FRAMING, oneByteAtATime(stream))).containsExactlyElementsOf(expected);
    }

    @Test
    void lineOfExactlyMaxLengthIsAcceptedWithCrLfWhereverTheStreamIsSplit() throws FramingException {
        byte[] line = repeat('x', MAX);
        byte[] stream = concat(line, ascii("\r\n"), line, ascii("\n"));
        for (int cut = 0; cut <= stream.length; cut++) {
            assertThat(decodeHex(FRAMING, splitAt(stream, cut))).as("cut at %d", cut)
                    .containsExactly(hex(line), hex(line));
        }
    }

    @Test
    void lineTooLongIsRaisedWithoutANewlineEverArriving() throws FramingException {
        FrameDecoder<ByteBuffer> decoder = FRAMING.newDecoder();
        ByteBuffer in = ByteBuffer.allocate(1);
        for (int i = 0; i < MAX; i++) {
            in.clear();
            assertThat(decoder.decode(in.put(0, (byte) 'x'))).isNull();
        }
        assertThat(decoder.buffered()).isEqualTo(MAX);
        in.clear();
        assertThatThrownBy(() -> decoder.decode(in.put(0, (byte) 'y')))
                .isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
                    assertThat(e.size()).isEqualTo(MAX + 1);
                    assertThat(e.maxSize()).isEqualTo(MAX);
                })
                .hasMessage("line of 17 bytes exceeds the maximum of 16 bytes; raise the framing's maximum frame"
                        + " size if such frames are expected");
    }

    @Test
    void lineTooLongIsRaisedFromOneLargeInputWithoutScanningItAll() {
        ByteBuffer in = ByteBuffer.wrap(repeat('x', 1_000_000));
        assertThatThrownBy(() -> FRAMING.newDecoder().decode(in))
                .isInstanceOfSatisfying(FrameTooLargeException.class,
                        e -> assertThat(e.size()).isEqualTo(MAX + 2));
    }

    @Test
    void lineTooLongIsRaisedWhenItArrivesWithItsNewline() {
        ByteBuffer in = ByteBuffer.wrap(concat(repeat('x', MAX + 1), ascii("\n")));
        assertThatThrownBy(() -> FRAMING.newDecoder().decode(in))
                .isInstanceOfSatisfying(FrameTooLargeException.class,
                        e -> assertThat(e.size()).isEqualTo(MAX + 1));
    }

    @Test
    void carriageReturnAfterMaxLengthIsAllowedUntilSomethingOtherThanNewlineFollows() throws FramingException {
        FrameDecoder<ByteBuffer> decoder = Framing.lines(4).newDecoder();
        assertThat(decoder.decode(asciiBuffer("abcd\r"))).isNull();
        assertThat(decoder.buffered()).isEqualTo(5);
        assertThat(hex(decoder.decode(asciiBuffer("\n")))).isEqualTo(hex(ascii("abcd")));

        FrameDecoder<ByteBuffer> other = Framing.lines(4).newDecoder();
        assertThat(other.decode(asciiBuffer("abcd\r"))).isNull();
        assertThatThrownBy(() -> other.decode(asciiBuffer("z")))
                .isInstanceOfSatisfying(FrameTooLargeException.class, e -> assertThat(e.size()).isEqualTo(6));
    }

    @Test
    void unterminatedLastLineIsReturnedAtEndOfInput() throws FramingException {
        FrameDecoder<ByteBuffer> decoder = FRAMING.newDecoder();
        ByteBuffer in = asciiBuffer("first\npart");
        assertThat(hex(decoder.decode(in))).isEqualTo(hex(ascii("first")));
        assertThat(decoder.decode(in)).isNull();
        assertThat(decoder.buffered()).isEqualTo(4);
        assertThat(decoder.decode(asciiBuffer("ial"))).isNull();
        assertThat(hex(decoder.endOfInput())).isEqualTo(hex(ascii("partial")));
        assertThat(decoder.endOfInput()).isNull();
    }

    @Test
    void endOfInputAfterCompleteLinesReturnsNull() throws FramingException {
        FrameDecoder<ByteBuffer> decoder = FRAMING.newDecoder();
        assertThat(hex(decoder.decode(asciiBuffer("done\n")))).isEqualTo(hex(ascii("done")));
        assertThat(decoder.endOfInput()).isNull();
    }

    @Test
    void lineWhollyInsideOneInputIsReturnedAsASliceOfThatInput() throws FramingException {
        ByteBuffer in = asciiBuffer("..abc\r\ndef\n");
        in.position(2);
        ByteBuffer line = FRAMING.newDecoder().decode(in);
        assertThat(line.hasArray()).isTrue();
        assertThat(line.array()).isSameAs(in.array());
        assertThat(line.arrayOffset() + line.position()).isEqualTo(2);
        assertThat(hex(line)).isEqualTo(hex(ascii("abc")));
        assertThat(in.position()).isEqualTo(7);
    }

    @Test
    void encodeRejectsPayloadContainingNewline() {
        assertThatThrownBy(() -> FRAMING.encode(asciiBuffer("abc\ndef")))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("contains '\\n' at offset 3");
    }

    @Test
    void encodeRejectsPayloadEndingInCarriageReturnWhichTheDecoderWouldDrop() {
        assertThatThrownBy(() -> FRAMING.encode(asciiBuffer("abc\r")))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("ends in '\\r'");
    }

    @Test
    void encodeRejectsLineLongerThanMaximum() {
        assertThatThrownBy(() -> FRAMING.encode(ByteBuffer.wrap(repeat('x', MAX + 1))))
                .isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
                    assertThat(e.size()).isEqualTo(MAX + 1);
                    assertThat(e.maxSize()).isEqualTo(MAX);
                });
    }

    @Test
    void encodeReturnsNewlineThatCallersCannotCorrupt() throws FramingException {
        ByteBuffer[] first = FRAMING.encode(asciiBuffer("a"));
        first[1].position(1);
        ByteBuffer[] second = FRAMING.encode(asciiBuffer("b"));
        assertThat(hex(second[1])).isEqualTo("0a");
        assertThat(second[1].isReadOnly()).isTrue();
    }

    @Test
    void negativeMaximumIsRejected() {
        assertThatThrownBy(() -> Framing.lines(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    @Test
    void longLineArrivingOneByteAtATimeCostsLinearWork() throws FramingException {
        int length = 1 << 20;
        PendingBytes pending = new PendingBytes();
        FrameDecoder<ByteBuffer> decoder = Framing.lines(length).newDecoder(pending);
        LinearWork.feedOneByteAtATime(decoder, pending, length, i -> 'a' + i % 26);
        ByteBuffer line = decoder.decode(ByteBuffer.wrap(new byte[] {'\n'}));
        LinearWork.assertLinear(pending, length + 1L);
        assertThat(line.remaining()).isEqualTo(length);
        for (int i = 0; i < length; i++) {
            if (line.get(i) != (byte) ('a' + i % 26)) {
                throw new AssertionError("byte " + i + " is " + line.get(i));
            }
        }
    }
}
