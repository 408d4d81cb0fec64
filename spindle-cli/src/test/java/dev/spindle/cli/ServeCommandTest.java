package dev.spindle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static dev.spindle.cli.UploadRequests.concat;
import static dev.spindle.cli.UploadRequests.exchange;
import static dev.spindle.cli.UploadRequests.header;
import static dev.spindle.cli.UploadRequests.lengthOnly;
import static org.assertj.core.api.Assertions.assertThat;

class ServeCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aPythonClientUploadsAFileAndTheSha256Matches(@TempDir Path tmp) throws Exception {
        Path uploads = tmp.resolve("uploads");
        Path outside = tmp.resolve("escape.txt");
        byte[] content = new byte[5 * 1024 * 1024 + 3];
        new Random(42).nextBytes(content);
        Path file = Files.write(tmp.resolve("payload.bin"), content);
        String expectedSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));

        try (SpindleProcess serve = new SpindleProcess("serve", "--port", "0", "--mode", "files",
                "--dir", uploads.toString())) {
            int port = serve.awaitPort();

            JsonNode reply = JSON.readTree(python(tmp, port, file, null));
            assertThat(reply.get("ok").asBoolean()).isTrue();
            assertThat(reply.get("size").asLong()).isEqualTo(content.length);
            assertThat(reply.get("sha256").asText()).isEqualTo(expectedSha);
            assertThat(uploads.resolve("payload.bin")).hasBinaryContent(content);

            // Refusals: each gets a JSON error on its own connection, and the server goes on.
            assertRefused(port, header("{\"filename\":\"../escape.txt\",\"file_size\":3}"), "escape.txt");
            assertRefused(port, header("{\"filename\":\"/etc/passwd\",\"file_size\":3}"), "not allowed");
            assertRefused(port, header("{not json"), "header rejected");
            assertRefused(port, header("{\"filename\":\"a.txt\",\"file_size\":-1}"), "negative");
            assertRefused(port, header("{\"filename\":\"a.txt\"}"), "file_size");
            assertRefused(port, lengthOnly(-5), "-5");
            assertRefused(port, lengthOnly(70_000), "65536");
            assertThat(outside).doesNotExist();
            try (var listing = Files.list(uploads)) {
                assertThat(listing).containsExactly(uploads.resolve("payload.bin"));
            }

            // "size" is accepted as well as "file_size", and the server still serves.
            JsonNode again = JSON.readTree(python(tmp, port, file, "second.bin"));
            assertThat(again.get("sha256").asText()).isEqualTo(expectedSha);

            assertThat(serve.terminate()).as("exit code after SIGTERM").isZero();
            assertThat(serve.output()).contains("stopped;").contains("accepted=9").contains("errors=7");
        }
    }

    @Test
    void sizeIsAcceptedInPlaceOfFileSize(@TempDir Path tmp) throws Exception {
        try (SpindleProcess serve = new SpindleProcess("serve", "--port", "0", "--mode", "files",
                "--dir", tmp.toString())) {
            int port = serve.awaitPort();
            byte[] body = "abc".getBytes(StandardCharsets.UTF_8);
            byte[] request = concat(header("{\"filename\":\"s.txt\",\"size\":3}"), body);
            JsonNode reply = JSON.readTree(exchange(port, request));
            assertThat(reply.get("ok").asBoolean()).isTrue();
            assertThat(tmp.resolve("s.txt")).hasBinaryContent(body);
        }
    }

    @Test
    void upperModeAnswersTheOneShotClientUnderEveryModel() throws Exception {
        for (String model : new String[] {"sync", "thread", "pool", "virtual", "event-loop", "async"}) {
            try (SpindleProcess serve = new SpindleProcess("serve", "--port", "0", "--mode", "upper",
                    "--model", model)) {
                int port = serve.awaitPort();
                StringWriter out = new StringWriter();
                var cli = Spindle.commandLine();
                cli.setOut(new PrintWriter(out, true));
                int code = cli.execute("client", "--port", String.valueOf(port), "--send", "hello, seeds 123");
                assertThat(code).isZero();
                assertThat(out.toString()).isEqualTo("HELLO, SEEDS 123\n");
                assertThat(serve.terminate()).isZero();
                assertThat(serve.output()).contains("model " + (model.equals("pool") ? "pool(16" : model));
                assertThat(serve.output()).contains("errors=0");
            }
        }
    }

    @Test
    void echoServesTheInteractiveClientOverAUnixSocket(@TempDir Path tmp) throws Exception {
        Path socket = tmp.resolve("spindle.sock");
        try (SpindleProcess serve = new SpindleProcess("serve", "--unix", socket.toString(), "--framing", "raw")) {
            serve.awaitPortOrUnix();
            InputStream originalIn = System.in;
            StringWriter out = new StringWriter();
            try {
                System.setIn(new java.io.ByteArrayInputStream("first line\n\nsecond\nq\n".getBytes(StandardCharsets.UTF_8)));
                var cli = Spindle.commandLine();
                cli.setOut(new PrintWriter(out, true));
                assertThat(cli.execute("client", "--unix", socket.toString())).isZero();
            } finally {
                System.setIn(originalIn);
            }
            assertThat(out.toString()).contains(">>> server: first line").contains(">>> server: second");
            assertThat(serve.terminate()).isZero();
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void aBadOptionIsAUsageErrorThatSaysWhatToWrite() {
        StringWriter err = new StringWriter();
        var cli = Spindle.commandLine();
        cli.setErr(new PrintWriter(err, true));
        assertThat(cli.execute("serve", "--idle-timeout", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("'soon' is not a duration");
    }

    private static void assertRefused(int port, byte[] request, String reasonContains) throws Exception {
        UploadRequests.assertRefused(exchange(port, request), reasonContains);
    }

    private static String python(Path tmp, int port, Path file, String name) throws Exception {
        Path script = tmp.resolve("upload.py");
        if (!Files.exists(script)) {
            try (InputStream in = ServeCommandTest.class.getResourceAsStream("/python/upload.py")) {
                Files.copy(in, script);
            }
        }
        ProcessBuilder pb = name == null
                ? new ProcessBuilder("python3", script.toString(), "127.0.0.1", String.valueOf(port), file.toString())
                : new ProcessBuilder("python3", script.toString(), "127.0.0.1", String.valueOf(port), file.toString(), name);
        Process p = pb.redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            return out;
        } finally {
            p.destroyForcibly();
        }
    }
}
