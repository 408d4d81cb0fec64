package dev.spindle.codec;

import static dev.spindle.codec.Feeds.ascii;
import static dev.spindle.codec.Feeds.concat;
import static dev.spindle.codec.Feeds.decodeHex;
import static dev.spindle.codec.Feeds.encodeAll;
import static dev.spindle.codec.Feeds.hex;
import static dev.spindle.codec.Feeds.oneByteAtATime;
import static dev.spindle.codec.Feeds.repeat;
import static dev.spindle.codec.Feeds.splitAt;
import static dev.spindle.codec.Feeds.unhex;
import static dev.spindle.codec.Feeds.whole;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class LengthPrefixFramingTest {

    static Stream<Arguments> widthsAndOrders() {
        List<Arguments> all = new ArrayList<>();
        for (int width : new int[] {1, 2, 4, 8}) {
            for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                all.add(Arguments.of(width, order));
            }
        }
        return all.stream();
    }

    /** 255 is as long as a 1-byte prefix goes; 300 needs both bytes of a 2-byte prefix, so order shows. */
    private static int maxFor(int width) {
        return width == 1 ? 255 : 300;
    }

    private static List<byte[]> framesFor(int width) {
        byte[] longest = new byte[maxFor(width)];
        for (int i = 0; i < longest.length; i++) {
            longest[i] = (byte) (i * 7);
        }
        return List.of(ascii(""), ascii("hello"), new byte[] {0x00, '\n', '\r', (byte) 0xFF}, longest, ascii(""));
    }

    @ParameterizedTest(name = "width {0}, {1}")
    @MethodSource("widthsAndOrders")
    void lengthPrefixRoundTripsWhenFedWhole(int width, ByteOrder order) throws FramingException {
        LengthPrefixFraming framing = Framing.lengthPrefixed(width, order, maxFor(width));
        List<byte[]> frames = framesFor(width);
        assertThat(decodeHex(framing, whole(encodeAll(framing, frames)))).containsExactlyElementsOf(hex(frames));
    }

    @ParameterizedTest(name = "width {0}, {1}")
    @MethodSource("widthsAndOrders")
    void lengthPrefixRoundTripsWhenSplitAtEveryByteBoundary(int width, ByteOrder order) throws FramingException {
        LengthPrefixFraming framing = Framing.lengthPrefixed(width, order, maxFor(width));
        List<byte[]> frames = framesFor(width);
        byte[] stream = encodeAll(framing, frames);
        for (int cut = 0; cut <= stream.length; cut++) {
            assertThat(decodeHex(framing, splitAt(stream, cut))).as("cut at %d", cut)
                    .containsExactlyElementsOf(hex(frames));
        }
    }

    @ParameterizedTest(name = "width {0}, {1}")
    @MethodSource("widthsAndOrders")
    void lengthPrefixRoundTripsWhenFedOneByteAtATime(int width, ByteOrder order) throws FramingException {
        LengthPrefixFraming framing = Framing.lengthPrefixed(width, order, maxFor(width));
        List<byte[]> frames = framesFor(width);
        assertThat(decodeHex(framing, oneByteAtATime(encodeAll(framing, frames))))
                .containsExactlyElementsOf(hex(frames));
    }

    @ParameterizedTest(name = "width {0}, {1}, length {2} -> {3}")
    @CsvSource({
        "1, BIG_ENDIAN,    200, c8",
        "1, LITTLE_ENDIAN, 200, c8",
        "2, BIG_ENDIAN,    258, 0102",
        "2, LITTLE_ENDIAN, 258, 0201",
        "4, BIG_ENDIAN,    258, 00000102",
        "4, LITTLE_ENDIAN, 258, 02010000",
        "8, BIG_ENDIAN,    258, 0000000000000102",
        "8, LITTLE_ENDIAN, 258, 0201000000000000",
    })
    void prefixHoldsTheLengthInTheGivenWidthAndOrder(int width, String orderName, int length, String prefixHex)
            throws FramingException {
        ByteOrder order = orderName.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        LengthPrefixFraming framing = Framing.lengthPrefixed(width, order, 1000);
        assertThat(framing.width()).isEqualTo(width);
        assertThat(framing.order()).isEqualTo(order);
        byte[] payload = repeat(0xAB, length);
        ByteBuffer[] encoded = framing.encode(ByteBuffer.wrap(payload));
        assertThat(encoded).hasSize(2);
        assertThat(hex(encoded[0])).isEqualTo(prefixHex);
        assertThat(hex(encoded[1])).isEqualTo(hex(payload));
        assertThat(decodeHex(framing, whole(concat(unhex(prefixHex), payload)))).containsExactly(hex(payload));
    }

    @ParameterizedTest(name = "struct.pack(''<i'', {0}) == {1}")
    @CsvSource({
        "0,     00000000",
        "1,     01000000",
        "1000,  e8030000",
        "65536, 00000100",
    })
    void pythonStructIMatchesStructPackLittleEndianInt(int length, String structPackHex) throws FramingException {
        LengthPrefixFraming framing = LengthPrefixFraming.pythonStructI(100_000);
        assertThat(framing.width()).isEqualTo(4);
        assertThat(framing.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        byte[] payload = repeat('p', length);
        assertThat(hex(framing.encode(ByteBuffer.wrap(payload))[0])).isEqualTo(structPackHex);
        assertThat(decodeHex(framing, whole(concat(unhex(structPackHex), payload)))).containsExactly(hex(payload));
    }

    @ParameterizedTest(name = "width {0}, {1}: {2} is {3}")
    @CsvSource({
        "4, LITTLE_ENDIAN, ffffffff,         -1",
        "4, BIG_ENDIAN,    80000000,         -2147483648",
        "8, BIG_ENDIAN,    ffffffffffffff85, -123",
        "8, LITTLE_ENDIAN, 0000000000000080, -9223372036854775808",
    })
    void negativeLengthIsMalformedAndNamesTheValue(int width, String orderName, String prefixHex, long value) {
        ByteOrder order = orderName.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        FrameDecoder<ByteBuffer> decoder = Framing.lengthPrefixed(width, order, 1000).newDecoder();
        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(unhex(prefixHex))))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("negative frame length of " + value + ";");
    }

    @Test
    void oneAndTwoBytePrefixesAreUnsigned() throws FramingException {
        byte[] body = repeat('u', 255);
        assertThat(decodeHex(Framing.lengthPrefixed(1, ByteOrder.BIG_ENDIAN, 1000), whole(concat(unhex("ff"), body))))
                .containsExactly(hex(body));
        assertThatThrownBy(() -> Framing.lengthPrefixed(2, ByteOrder.LITTLE_ENDIAN, 300).newDecoder()
                .decode(ByteBuffer.wrap(unhex("ffff"))))
                .isInstanceOfSatisfying(FrameTooLargeException.class, e -> assertThat(e.size()).isEqualTo(65535));
    }

    @Test
    void oversizeIsRaisedAsSoonAsThePrefixArrivesBeforeAnyBody() throws FramingException {
        FrameDecoder<ByteBuffer> decoder = LengthPrefixFraming.pythonStructI(1000).newDecoder();
        for (byte b : unhex("e90300")) {
            assertThat(decoder.decode(ByteBuffer.wrap(new byte[] {b}))).isNull();
        }
        assertThat(decoder.buffered()).isEqualTo(3);
        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(unhex("00"))))
                .isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
                    assertThat(e.size()).isEqualTo(1001);
                    assertThat(e.maxSize()).isEqualTo(1000);
                })
                .hasMessageStartingWith("length-prefixed frame of 1001 bytes exceeds the maximum of 1000 bytes");
    }

    @Test
    void hugeDeclaredLengthsAreTooLargeNotMalformed() {
        assertThatThrownBy(() -> LengthPrefixFraming.pythonStructI(1000).newDecoder()
                .decode(ByteBuffer.wrap(unhex("ffffff7f"))))
                .isInstanceOfSatisfying(FrameTooLargeException.class,
                        e -> assertThat(e.size()).isEqualTo(Integer.MAX_VALUE));
        assertThatThrownBy(() -> Framing.lengthPrefixed(8, ByteOrder.BIG_ENDIAN, 1000).newDecoder()
                .decode(ByteBuffer.wrap(unhex("7fffffffffffffff"))))
                .isInstanceOfSatisfying(FrameTooLargeException.class,
                        e -> assertThat(e.size()).isEqualTo(Long.MAX_VALUE));
    }

    @Test
    void encodeRejectsPayloadOverMaximum() {
        assertThatThrownBy(() -> LengthPrefixFraming.pythonStructI(1000).encode(ByteBuffer.allocate(1001)))
                .isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
                    assertThat(e.size()).isEqualTo(1001);
                    assertThat(e.maxSize()).isEqualTo(1000);
                });
    }

    @Test
    void endOfInputInsideThePrefixIsTruncated() throws FramingException {
        FrameDecoder<ByteBuffer> decoder = LengthPrefixFraming.pythonStructI(1000).newDecoder();
        assertThat(decoder.decode(ByteBuffer.wrap(unhex("e803")))).isNull();
        assertThatThrownBy(decoder::endOfInput)
                .isInstanceOfSatisfying(TruncatedFrameException.class, e -> assertThat(e.received()).isEqualTo(2));
    }

    @Test
    void endOfInputInsideTheBodyIsTruncated() throws FramingException {
        FrameDecoder<ByteBuffer> decoder = LengthPrefixFraming.pythonStructI(1000).newDecoder();
        assertThat(decoder.decode(ByteBuffer.wrap(concat(unhex("05000000"), ascii("abc"))))).isNull();
        assertThat(decoder.buffered()).isEqualTo(3);
        assertThatThrownBy(decoder::endOfInput)
                .isInstanceOfSatisfying(TruncatedFrameException.class, e -> assertThat(e.received()).isEqualTo(7))
                .hasMessage("input ended 7 bytes into a length-prefixed frame; the peer closed before sending the"
                        + " whole frame");
    }

    @Test
    void endOfInputBetweenFramesReturnsNull() throws FramingException {
        FrameDecoder<ByteBuffer> decoder = LengthPrefixFraming.pythonStructI(1000).newDecoder();
        assertThat(hex(decoder.decode(ByteBuffer.wrap(concat(unhex("02000000"), ascii("hi"))))))
                .isEqualTo(hex(ascii("hi")));
        assertThat(decoder.endOfInput()).isNull();
    }

    @Test
    void zeroLengthFrameIsReturnedAsSoonAsItsPrefixArrives() throws FramingException {
        FrameDecoder<ByteBuffer> decoder = LengthPrefixFraming.pythonStructI(1000).newDecoder();
        assertThat(decoder.decode(ByteBuffer.wrap(unhex("000000")))).isNull();
        ByteBuffer frame = decoder.decode(ByteBuffer.wrap(unhex("00")));
        assertThat(frame).isNotNull();
        assertThat(frame.remaining()).isZero();
        assertThat(decoder.buffered()).isZero();
    }

    @Test
    void bodyWhollyInsideOneInputIsReturnedAsASliceOfThatInputEvenAfterASplitPrefix() throws FramingException {
        FrameDecoder<ByteBuffer> decoder = LengthPrefixFraming.pythonStructI(1000).newDecoder();
        assertThat(decoder.decode(ByteBuffer.wrap(unhex("0300")))).isNull();
        ByteBuffer in = ByteBuffer.wrap(concat(unhex("0000"), ascii("abc")));
        ByteBuffer frame = decoder.decode(in);
        assertThat(frame.array()).isSameAs(in.array());
        assertThat(frame.arrayOffset() + frame.position()).isEqualTo(2);
        assertThat(hex(frame)).isEqualTo(hex(ascii("abc")));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 5, 16, -4})
    void widthOtherThanOneTwoFourOrEightIsRejected(int width) {
        assertThatThrownBy(() -> Framing.lengthPrefixed(width, ByteOrder.BIG_ENDIAN, 1000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a length prefix is 1, 2, 4 or 8 bytes wide, not " + width);
    }

    @Test
    void maximumIsCappedAtWhatANarrowPrefixCanDescribe() {
        assertThat(Framing.lengthPrefixed(1, ByteOrder.BIG_ENDIAN, 1000).maxFrameSize()).isEqualTo(255);
        assertThat(Framing.lengthPrefixed(2, ByteOrder.BIG_ENDIAN, 100_000).maxFrameSize()).isEqualTo(65535);
        assertThat(Framing.lengthPrefixed(4, ByteOrder.BIG_ENDIAN, 100_000).maxFrameSize()).isEqualTo(100_000);
        assertThatThrownBy(() -> Framing.lengthPrefixed(1, ByteOrder.BIG_ENDIAN, 1000).encode(ByteBuffer.allocate(256)))
                .isInstanceOfSatisfying(FrameTooLargeException.class, e -> assertThat(e.maxSize()).isEqualTo(255));
    }
}
