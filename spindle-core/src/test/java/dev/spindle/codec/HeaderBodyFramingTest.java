package dev.spindle.codec;

import static dev.spindle.codec.Feeds.ascii;
import static dev.spindle.codec.Feeds.concat;
import static dev.spindle.codec.Feeds.decodeAll;
import static dev.spindle.codec.Feeds.hex;
import static dev.spindle.codec.Feeds.oneByteAtATime;
import static dev.spindle.codec.Feeds.splitAt;
import static dev.spindle.codec.Feeds.unhex;
import static dev.spindle.codec.Feeds.whole;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeaderBodyFramingTest {

    /** The seeds' file-transfer header, written by hand as "name=...;size=..." to keep JSON out of the core. */
    record FileHeader(String name, long size) {

        static FileHeader parse(ByteBuffer bytes) {
            String text = StandardCharsets.ISO_8859_1.decode(bytes).toString();
            String name = null;
            Long size = null;
            for (String field : text.split(";")) {
                String[] pair = field.split("=", 2);
                if (pair.length != 2) {
                    throw new IllegalArgumentException("field without '=': \"" + field + "\"");
                }
                switch (pair[0]) {
                    case "name" -> name = pair[1];
                    case "size" -> size = Long.parseLong(pair[1]);
                    default -> throw new IllegalArgumentException("unknown field \"" + pair[0] + "\"");
                }
            }
            if (size == null) {
                throw new IllegalArgumentException("no size in header \"" + text + "\"");
            }
            return new FileHeader(name, size);
        }
    }

    private static HeaderBodyFraming<FileHeader> framing(long maxBodyLength) {
        return HeaderBodyFraming.of(LengthPrefixFraming.pythonStructI(64 * 1024), FileHeader::parse,
                FileHeader::size, maxBodyLength);
    }

    private static final HeaderBodyFraming<FileHeader> FRAMING = framing(1000);

    /** A part as text, copied as soon as the decoder returns it. */
    private static String describe(HeaderBodyPart<FileHeader> part) {
        return switch (part) {
            case HeaderBodyPart.Header<FileHeader>(FileHeader header, long length) ->
                    "header " + header.name() + " " + header.size() + " " + length;
            case HeaderBodyPart.Body<FileHeader>(ByteBuffer chunk, boolean last) ->
                    "body " + hex(chunk) + (last ? " last" : "");
        };
    }

    /** Joins each message's body chunks, checking one header, then chunks, only the final one last. */
    private static List<String> messages(List<String> parts) {
        List<String> messages = new ArrayList<>();
        int i = 0;
        while (i < parts.size()) {
            assertThat(parts.get(i)).as("part %d of %s", i, parts).startsWith("header ");
            StringBuilder body = new StringBuilder();
            String header = parts.get(i++);
            boolean last = false;
            while (!last) {
                assertThat(i).as("message ended without a last chunk: %s", parts).isLessThan(parts.size());
                String[] chunk = parts.get(i++).split(" ", -1);
                assertThat(chunk[0]).as("part %d of %s", i - 1, parts).isEqualTo("body");
                last = chunk.length == 3;
                assertThat(chunk[1].isEmpty() && !last).as("empty chunk before the last in %s", parts).isFalse();
                body.append(chunk[1]);
            }
            messages.add(header + " " + body);
        }
        return messages;
    }

    private static byte[] message(String header, byte[] body) throws FramingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer part : FRAMING.encodeHeader(ByteBuffer.wrap(ascii(header)))) {
            out.writeBytes(Feeds.bytes(part));
        }
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static final byte[] BODY_12 = ascii("0123456789\r\n");
    private static final byte[] BODY_3 = new byte[] {0x00, (byte) 0xFF, '\n'};

    private static byte[] threeMessages() throws FramingException {
        return concat(message("name=a.txt;size=12", BODY_12), message("name=empty;size=0", new byte[0]),
                message("name=b.bin;size=3", BODY_3));
    }

    private static final List<String> THREE_MESSAGES = List.of(
            "header a.txt 12 12 " + hex(BODY_12),
            "header empty 0 0 ",
            "header b.bin 3 3 " + hex(BODY_3));

    @Test
    void encodeHeaderPrefixesItWithPythonStructILength() throws FramingException {
        ByteBuffer[] encoded = FRAMING.encodeHeader(ByteBuffer.wrap(ascii("size=12")));
        assertThat(encoded).hasSize(2);
        assertThat(hex(encoded[0])).isEqualTo("07000000");
        assertThat(hex(encoded[1])).isEqualTo("73697a653d3132");
    }

    @Test
    void messagesBackToBackDecodeToHeaderThenBodyWhenFedWhole() throws FramingException {
        assertThat(decodeAll(FRAMING.newDecoder(), whole(threeMessages()), HeaderBodyFramingTest::describe))
                .containsExactly(
                        "header a.txt 12 12",
                        "body " + hex(BODY_12) + " last",
                        "header empty 0 0",
                        "body  last",
                        "header b.bin 3 3",
                        "body " + hex(BODY_3) + " last");
    }

    @Test
    void messagesRoundTripWhenSplitAtEveryByteBoundary() throws FramingException {
        byte[] stream = threeMessages();
        for (int cut = 0; cut <= stream.length; cut++) {
            List<String> parts = decodeAll(FRAMING.newDecoder(), splitAt(stream, cut), HeaderBodyFramingTest::describe);
            assertThat(messages(parts)).as("cut at %d", cut).containsExactlyElementsOf(THREE_MESSAGES);
        }
    }

    @Test
    void messagesRoundTripWhenFedOneByteAtATime() throws FramingException {
        List<String> parts = decodeAll(FRAMING.newDecoder(), oneByteAtATime(threeMessages()),
                HeaderBodyFramingTest::describe);
        assertThat(messages(parts)).containsExactlyElementsOf(THREE_MESSAGES);
        // One chunk per body byte, plus the single empty chunk of the empty body.
        assertThat(parts.stream().filter(p -> p.startsWith("body"))).hasSize(12 + 1 + 3);
    }

    @Test
    void bodyFedInSmallPiecesComesOutAsChunksOfThosePiecesWithLastOnTheFinalOne() throws FramingException {
        // 4-byte prefix + 14-byte header = 18 bytes, so the 7-byte pieces cut the body after 3 bytes.
        byte[] stream = message("name=a;size=10", ascii("0123456789"));
        List<byte[]> pieces = new ArrayList<>();
        for (int from = 0; from < stream.length; from += 7) {
            pieces.add(Arrays.copyOfRange(stream, from, Math.min(from + 7, stream.length)));
        }
        assertThat(decodeAll(FRAMING.newDecoder(), pieces, HeaderBodyFramingTest::describe)).containsExactly(
                "header a 10 10",
                "body " + hex(ascii("012")),
                "body " + hex(ascii("3456789")) + " last");
    }

    @Test
    void bodyChunksAreSlicesOfTheInputNotCopies() throws FramingException {
        FrameDecoder<HeaderBodyPart<FileHeader>> decoder = FRAMING.newDecoder();
        ByteBuffer in = ByteBuffer.wrap(message("size=5", ascii("hello")));
        assertThat(decoder.decode(in)).isEqualTo(new HeaderBodyPart.Header<>(new FileHeader(null, 5), 5));
        HeaderBodyPart<FileHeader> part = decoder.decode(in);
        assertThat(part).isInstanceOfSatisfying(HeaderBodyPart.Body.class, body -> {
            assertThat(body.chunk().array()).isSameAs(in.array());
            assertThat(body.chunk().arrayOffset() + body.chunk().position()).isEqualTo(10);
            assertThat(body.last()).isTrue();
        });
        assertThat(decoder.buffered()).isZero();
    }

    /**
     * The work per input is counted, not timed: each 64 KiB input yields exactly one body chunk that
     * is a view of the whole input (no byte copied, none kept), then a request for more. A decoder
     * that copied or accumulated the body, or cut it into more pieces than inputs, fails here.
     */
    @Test
    void oneGibibyteBodyStreamsThroughAsOneViewPerInputWithNoByteCopiedOrKept() throws FramingException {
        long size = 1L << 30;
        HeaderBodyFraming<FileHeader> framing = framing(size);
        FrameDecoder<HeaderBodyPart<FileHeader>> decoder = framing.newDecoder();
        assertThat(decoder.decode(ByteBuffer.wrap(message("name=big;size=" + size, new byte[0]))))
                .isEqualTo(new HeaderBodyPart.Header<>(new FileHeader("big", size), size));
        ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        long received = 0;
        long inputs = 0;
        int lastChunks = 0;
        while (received < size) {
            in.clear();
            inputs++;
            HeaderBodyPart<FileHeader> part = decoder.decode(in);
            if (!(part instanceof HeaderBodyPart.Body<FileHeader> body)) {
                throw new AssertionError("input " + inputs + " gave " + part + " instead of a body chunk");
            }
            ByteBuffer chunk = body.chunk();
            if (chunk.array() != in.array() || chunk.arrayOffset() + chunk.position() != 0
                    || chunk.remaining() != in.capacity() || in.hasRemaining()) {
                throw new AssertionError("input " + inputs + " was not passed on whole as one view of itself: " + chunk);
            }
            received += chunk.remaining();
            lastChunks += body.last() ? 1 : 0;
            assertThat(body.last()).isEqualTo(received == size);
            assertThat(decoder.decode(in)).as("a second part from input %d", inputs).isNull();
            assertThat(decoder.buffered()).isZero();
        }
        assertThat(inputs).isEqualTo(size / in.capacity());
        assertThat(received).isEqualTo(size);
        assertThat(lastChunks).isEqualTo(1);
        assertThat(decoder.endOfInput()).isNull();
    }

    @Test
    void emptyBodyYieldsOneEmptyLastChunkEvenWhenInputEndsAfterTheHeader() throws FramingException {
        FrameDecoder<HeaderBodyPart<FileHeader>> decoder = FRAMING.newDecoder();
        assertThat(describe(decoder.decode(ByteBuffer.wrap(message("size=0", new byte[0])))))
                .isEqualTo("header null 0 0");
        assertThat(describe(decoder.endOfInput())).isEqualTo("body  last");
        assertThat(decoder.endOfInput()).isNull();
    }

    @Test
    void headerRejectedByTheParserIsMalformedWithTheParserExceptionAsCause() throws FramingException {
        FrameDecoder<HeaderBodyPart<FileHeader>> decoder = FRAMING.newDecoder();
        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(message("name=x;size=abc", new byte[0]))))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessage("header rejected: For input string: \"abc\"")
                .hasCauseInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> FRAMING.newDecoder().decode(ByteBuffer.wrap(message("name=x", new byte[0]))))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessage("header rejected: no size in header \"name=x\"")
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parserReturningNullIsMalformed() {
        HeaderBodyFraming<FileHeader> framing = HeaderBodyFraming.of(LengthPrefixFraming.pythonStructI(64),
                bytes -> null, FileHeader::size, 1000);
        assertThatThrownBy(() -> framing.newDecoder().decode(ByteBuffer.wrap(unhex("0100000078"))))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("returned null");
    }

    @Test
    void negativeBodyLengthIsMalformed() {
        assertThatThrownBy(() -> FRAMING.newDecoder().decode(ByteBuffer.wrap(message("size=-5", new byte[0]))))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("negative body length of -5;");
    }

    @Test
    void bodyOverMaximumIsRaisedFromTheHeaderBeforeAnyBodyArrives() {
        assertThatThrownBy(() -> FRAMING.newDecoder().decode(ByteBuffer.wrap(message("size=1001", new byte[0]))))
                .isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
                    assertThat(e.size()).isEqualTo(1001);
                    assertThat(e.maxSize()).isEqualTo(1000);
                })
                .hasMessageStartingWith("message body of 1001 bytes exceeds the maximum of 1000 bytes");
    }

    @Test
    void headerOverItsMaximumIsRaisedFromItsPrefix() {
        HeaderBodyFraming<FileHeader> framing = HeaderBodyFraming.of(LengthPrefixFraming.pythonStructI(16),
                FileHeader::parse, FileHeader::size, 1000);
        assertThatThrownBy(() -> framing.newDecoder().decode(ByteBuffer.wrap(unhex("11000000"))))
                .isInstanceOfSatisfying(FrameTooLargeException.class, e -> assertThat(e.size()).isEqualTo(17));
    }

    @Test
    void endOfInputInsideTheBodyIsTruncated() throws FramingException {
        FrameDecoder<HeaderBodyPart<FileHeader>> decoder = FRAMING.newDecoder();
        ByteBuffer in = ByteBuffer.wrap(message("size=10", ascii("abc")));
        assertThat(describe(decoder.decode(in))).isEqualTo("header null 10 10");
        assertThat(describe(decoder.decode(in))).isEqualTo("body " + hex(ascii("abc")));
        assertThat(decoder.decode(in)).isNull();
        assertThatThrownBy(decoder::endOfInput)
                .isInstanceOfSatisfying(TruncatedFrameException.class, e -> assertThat(e.received()).isEqualTo(3))
                .hasMessageStartingWith("input ended 3 bytes into a message body");
    }

    @Test
    void endOfInputInsideTheHeaderIsTruncated() throws FramingException {
        FrameDecoder<HeaderBodyPart<FileHeader>> decoder = FRAMING.newDecoder();
        assertThat(decoder.decode(ByteBuffer.wrap(concat(unhex("07000000"), ascii("siz"))))).isNull();
        assertThat(decoder.buffered()).isEqualTo(3);
        assertThatThrownBy(decoder::endOfInput)
                .isInstanceOfSatisfying(TruncatedFrameException.class, e -> assertThat(e.received()).isEqualTo(7));
    }

    @Test
    void negativeMaximumBodyLengthIsRejected() {
        assertThatThrownBy(() -> framing(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }
}
