package dev.spindle.net;

import dev.spindle.testing.Await;

import dev.spindle.codec.HeaderBodyFraming;
import dev.spindle.codec.HeaderBodyPart;
import dev.spindle.codec.LengthPrefixFraming;
import dev.spindle.codec.MalformedFrameException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** What a server writes to its log when peers misbehave: escaped, rate-limited, and nothing lost from the counts. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServerLoggingTest {

    /** A line break, a NUL, an escape sequence and a Unicode line separator: enough to forge a line or colour a terminal. */
    private static final String FORGERY = "bad\nWARNING: spindle-1: forged line\u0000\u001b[31mred\u2028end";

    static Stream<Model> models() {
        return Models.every();
    }

    private static void assertNoControlCharacters(String what, String text) {
        assertThat(LogCapture.firstControlCharacter(text)).as("index of the first control character in the %s: %s",
                what, text).isEqualTo(-1);
    }

    private static void assertEscapedForgery(String text) {
        assertThat(text).contains("bad\\nWARNING: spindle-1: forged line\\u0000\\u001b[31mred\\u2028end");
    }

    @Test
    void aFramingErrorCarryingPeerBytesIsLoggedAsOneLineWithItsControlCharactersEscaped() throws Exception {
        HeaderBodyFraming<String> framing = HeaderBodyFraming.of(LengthPrefixFraming.pythonStructI(1024), header -> {
            throw new IllegalArgumentException("unreadable header " + StandardCharsets.UTF_8.decode(header));
        }, header -> 0L, 1024);
        ConnectionHandler handler = connection -> {
            var decoder = framing.newDecoder();
            HeaderBodyPart<String> part;
            while ((part = connection.read(decoder)) != null) {
                connection.sendAll(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
            }
        };
        try (LogCapture log = new LogCapture();
             StreamServer server = StreamServer.builder().name("forgery").handler(handler).open()) {
            server.start();
            byte[] header = FORGERY.getBytes(StandardCharsets.UTF_8);
            try (Connection c = Client.builder().readTimeout(Duration.ofSeconds(20)).build()
                    .connect(server.localAddress())) {
                c.sendAll(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(header.length).flip(),
                        ByteBuffer.wrap(header));
                assertThat(c.recv(10)).as("closed by the server").isEmpty();
            }
            Await.until("the failure is counted", () -> server.stats().errors() == 1);
            List<LogRecord> records = log.recordsOf("forgery");
            assertThat(records).as("records logged").hasSize(1);
            LogRecord record = records.get(0);
            assertNoControlCharacters("message", record.getMessage());
            assertThat(record.getMessage()).contains("forgery: connection from ")
                    .contains(MalformedFrameException.class.getName());
            assertEscapedForgery(record.getMessage());
            assertThat(record.getThrown()).isNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void aProtocolFailureCarryingPeerBytesIsLoggedWithItsExceptionEscaped(Model model) throws Exception {
        try (LogCapture log = new LogCapture();
             StreamServer server = StreamServer.builder().name("escaping").model(model).protocol(() -> data -> {
                 throw new IllegalStateException("unknown command " + StandardCharsets.UTF_8.decode(data),
                         new IllegalArgumentException("caused by " + FORGERY));
             }).open()) {
            server.start();
            try (Connection c = Client.builder().readTimeout(Duration.ofSeconds(20)).build()
                    .connect(server.localAddress())) {
                c.sendAll(FORGERY.getBytes(StandardCharsets.UTF_8));
                assertThat(c.recv(10)).as("closed by the server").isEmpty();
            }
            Await.until("the failure is counted", () -> server.stats().errors() == 1);
            Await.until("the failure is logged", () -> !log.recordsOf("escaping").isEmpty());
            assertThat(log.recordsOf("escaping")).as("records logged").hasSize(1);
            LogRecord record = log.recordsOf("escaping").get(0);
            assertNoControlCharacters("message", record.getMessage());
            Throwable thrown = record.getThrown();
            assertThat(thrown).as("the exception, logged with its stack trace").isNotNull();
            assertNoControlCharacters("exception", thrown.toString());
            assertThat(thrown.toString()).startsWith(IllegalStateException.class.getName() + ": unknown command ");
            assertEscapedForgery(thrown.toString());
            assertThat(thrown.getStackTrace()).as("the original stack trace").isNotEmpty();
            assertNoControlCharacters("cause", thrown.getCause().toString());
            assertEscapedForgery(thrown.getCause().toString());
        }
    }

    private static final Pattern SUPPRESSED = Pattern.compile("(\\d+) more failures suppressed since");

    /**
     * Two thousand connections reset by their peers: every reset is counted, but the log holds at
     * most the burst plus the rate for the time it took (and the summary at shutdown), and the
     * lines plus the failures they say were suppressed add up to the count.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void aFloodOfResetsIsLoggedAtTheRateAndNothingIsLostFromTheCounts(Model model) throws Exception {
        int n = 2_000;
        try (LogCapture log = new LogCapture()) {
            long start = System.nanoTime();
            StreamServer server = StreamServer.builder().name("flood").model(model).protocol(EchoProtocol::new).open();
            try {
                server.start();
                for (int i = 0; i < n; i++) {
                    try (SocketChannel c = SocketChannel.open(server.localAddress())) {
                        c.setOption(StandardSocketOptions.SO_LINGER, 0); // close sends a reset
                    }
                }
                Await.until("every connection has ended", () -> server.stats().accepted() + server.stats().refused() >= n
                        && server.stats().active() == 0);
            } finally {
                server.close();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long errors = server.stats().errors();
            long lines = 0;
            long suppressed = 0;
            for (LogRecord r : log.recordsOf("flood")) {
                Matcher m = SUPPRESSED.matcher(r.getMessage());
                if (m.find()) {
                    suppressed += Long.parseLong(m.group(1));
                }
                if (r.getMessage().contains("flood: connection from ")) {
                    lines++;
                }
            }
            assertThat(errors).as("resets counted as errors: more than the burst, so the limit is tested")
                    .isGreaterThan(ServerLog.FAILURE_BURST);
            assertThat(suppressed).as("failures the limit held back").isPositive();
            assertThat(lines).as("failure lines in %.1f s", seconds)
                    .isLessThanOrEqualTo((long) (ServerLog.FAILURE_BURST + ServerLog.FAILURES_PER_SECOND * seconds) + 1);
            assertThat(lines + suppressed).as("lines + suppressed failures").isEqualTo(errors);
            assertThat(log.recordsOf("flood").size()).as("records: the failure lines and at most one summary")
                    .isLessThanOrEqualTo((int) lines + 1);
        }
    }

    @Test
    void escapingLeavesPlainTextAloneAndEscapesEveryControlCharacter() {
        String plain = "connection #3 from /127.0.0.1:5000 closed: héllo — ✓";
        assertThat(ServerLog.escape(plain)).isSameAs(plain);
        assertThat(ServerLog.escape("a\nb\rc\td\u0000e\u001bf\u007fg\u0085h\u009fi\u2028j\u2029k"))
                .isEqualTo("a\\nb\\rc\\td\\u0000e\\u001bf\\u007fg\\u0085h\\u009fi\\u2028j\\u2029k");
    }
}
