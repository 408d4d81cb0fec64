package dev.spindle.cli;

import static dev.spindle.cli.UploadRequests.JSON;
import static dev.spindle.cli.UploadRequests.assertRefused;
import static dev.spindle.cli.UploadRequests.await;
import static dev.spindle.cli.UploadRequests.concat;
import static dev.spindle.cli.UploadRequests.exchange;
import static dev.spindle.cli.UploadRequests.header;
import static dev.spindle.cli.UploadRequests.partialFiles;
import static dev.spindle.cli.UploadRequests.replyLine;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.LinkedHashSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spindle serve --mode files} in a child JVM, over real sockets: names it must refuse before
 * the body, failures after the body, names outside ASCII under a locale that is not UTF-8, and
 * partial files left by a server killed mid-upload.
 */
class FilesModeTest {

    /** Larger than anything the server reads ahead: a reply that needed the body could not come without it. */
    private static final int UNSENT_BODY = 1_000_000;

    @Test
    void aNameTheDirectoryCannotHoldIsRefusedBeforeAnyOfTheBodyAndNothingIsLeft(@TempDir Path tmp) throws Exception {
        Path uploads = Files.createDirectories(tmp.resolve("uploads"));
        Files.createDirectory(uploads.resolve("taken"));
        String longName = "é".repeat(128) + ".txt"; // 132 characters, but 260 bytes in UTF-8
        try (SpindleProcess serve = new SpindleProcess("serve", "--port", "0", "--mode", "files",
                "--dir", uploads.toString())) {
            int port = serve.awaitPort();
            // Only the header is sent: the reply must come without the body.
            assertRefused(exchange(port, header(upload(longName, UNSENT_BODY))),
                    "is 260 bytes long in UTF-8", "at most 255 bytes per name", "send a shorter name");
            assertRefused(exchange(port, header(upload("taken", UNSENT_BODY))),
                    "a directory named 'taken' is already in the upload directory", "send the file under another name");
            assertRefused(exchange(port, header(upload("\\ud800.txt", UNSENT_BODY))),
                    "the unpaired UTF-16 surrogate U+D800 at index 0", "send the name as valid Unicode");
            assertRefused(exchange(port, header(upload("a\\nb.txt", UNSENT_BODY))),
                    "'a\\u000ab.txt' contains the control character U+000A at index 1",
                    "send a name of printable characters");
            assertRefused(exchange(port, header(upload("nul\\u0000.txt", UNSENT_BODY))),
                    "control character U+0000 at index 3");
            assertRefused(exchange(port, header(upload("", UNSENT_BODY))), "the filename is empty");

            // The longest name the file system holds is accepted, and the server still serves.
            String longest = "a".repeat(251) + ".txt";
            JsonNode stored = JSON.readTree(exchange(port, concat(header(upload(longest, 3)), bytes("abc"))));
            assertThat(stored.get("ok").asBoolean()).as(stored.toString()).isTrue();
            assertThat(uploads.resolve(longest)).hasContent("abc");
            assertThat(serve.terminate()).isZero();
        }
        assertThat(listing(uploads)).containsExactlyInAnyOrder("taken", "a".repeat(251) + ".txt");
        assertThat(listing(uploads.resolve("taken"))).isEmpty();
    }

    @Test
    void theBodyLengthMayBeGivenAsFilesizeAsMostPythonClientsSpellIt(@TempDir Path tmp) throws Exception {
        try (SpindleProcess serve = new SpindleProcess("serve", "--port", "0", "--mode", "files",
                "--dir", tmp.toString())) {
            int port = serve.awaitPort();
            for (String key : List.of("filesize", "file_size", "size")) {
                String name = key + ".txt";
                String json = "{\"filename\":\"" + name + "\",\"" + key + "\":5}";
                JsonNode reply = JSON.readTree(exchange(port, concat(header(json), bytes("hello"))));
                assertThat(reply.get("ok").asBoolean()).as(reply.toString()).isTrue();
                assertThat(reply.get("size").asLong()).isEqualTo(5);
                assertThat(tmp.resolve(name)).hasContent("hello");
            }
            assertRefused(exchange(port, header("{\"filename\":\"x.txt\",\"length\":5}")),
                    "no integer \"file_size\" (or \"filesize\" or \"size\")");
        }
    }

    @Test
    void aFailureToStoreAfterTheBodyStillGetsAReplyAndLeavesNoPartialFile(@TempDir Path tmp) throws Exception {
        Path uploads = Files.createDirectories(tmp.resolve("uploads"));
        try (SpindleProcess serve = new SpindleProcess("serve", "--port", "0", "--mode", "files",
                "--dir", uploads.toString());
             Socket client = UploadRequests.connect(serve.awaitPort())) {
            OutputStream out = client.getOutputStream();
            out.write(concat(header(upload("late.txt", 10)), bytes("12345")));
            out.flush();
            await("the partial file to hold the first 5 bytes", () -> partialOfSize(uploads, 5));
            // The name was free when checked; a directory takes it before the body ends, so the move fails.
            Files.writeString(Files.createDirectory(uploads.resolve("late.txt")).resolve("inside"), "x");
            out.write(bytes("67890"));
            out.flush();
            assertRefused(replyLine(client), "the server could not store 'late.txt'", "nothing was kept");
        }
        assertThat(partialFiles(uploads)).isEmpty();
        assertThat(uploads.resolve("late.txt")).isDirectory();
        assertThat(listing(uploads.resolve("late.txt"))).containsExactly("inside");
    }

    @Test
    void underTheCLocaleTheJvmCannotNameFilesInUtf8AndTheServerSaysSoInsteadOfClosing(@TempDir Path tmp)
            throws Exception {
        try (SpindleProcess serve = new SpindleProcess(Map.of("LC_ALL", "C"), "serve", "--port", "0", "--mode",
                "files", "--dir", tmp.toString())) {
            int port = serve.awaitPort();
            assertThat(serve.output()).contains("uploads with non-ASCII names will be refused");
            JsonNode refused = assertRefused(exchange(port, concat(header(upload("é.txt", 3)), bytes("abc"))),
                    "names files in ANSI_X3.4-1968 (sun.jnu.encoding", "cannot store 'é.txt' under its UTF-8 name",
                    "LC_ALL=C.UTF-8");
            assertThat(refused.get("error").asText()).contains("./spindle picks one itself");
            JsonNode ascii = JSON.readTree(exchange(port, concat(header(upload("plain.txt", 3)), bytes("abc"))));
            assertThat(ascii.get("ok").asBoolean()).as(ascii.toString()).isTrue();
        }
        assertThat(listing(tmp)).containsExactly("plain.txt");
    }

    /**
     * The real {@code ./spindle} script, copied with its scripts beside a jar whose manifest points
     * at this build's classes, so it needs no build of its own, run under {@code LC_ALL=C}.
     */
    @Test
    void theSpindleScriptStoresNonAsciiNamesAsTheirUtf8BytesUnderTheCLocale(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(run("locale", "-a").lines().anyMatch(l -> l.toLowerCase().matches(".*\\.utf-?8")),
                "this machine has no UTF-8 locale for ./spindle to switch to");
        Path root = launcherCopy(tmp.resolve("spindle-root"));
        Path uploads = tmp.resolve("uploads");
        List<String> command = List.of("bash", root.resolve("spindle").toString(), "serve", "--port", "0",
                "--mode", "files", "--dir", uploads.toString());
        try (SpindleProcess serve = new SpindleProcess(command, Map.of("LC_ALL", "C"))) {
            int port = serve.awaitPort();
            for (String name : List.of("é.txt", "文件.txt")) {
                JsonNode reply = JSON.readTree(exchange(port, concat(header(upload(name, 2)), bytes("ok"))));
                assertThat(reply.get("ok").asBoolean()).as(reply.toString()).isTrue();
                assertThat(reply.get("filename").asText()).isEqualTo(name);
            }
            assertThat(serve.output()).doesNotContain("will be refused");
            assertThat(serve.terminate()).isZero();
        }
        assertThat(rawNames(uploads)).containsExactlyInAnyOrder(hex("é.txt"), hex("文件.txt"));
    }

    /**
     * A server SIGKILLed mid-upload leaves its partial file; the next server to start in that
     * directory removes it, while the partial file of another live server there stays and its
     * upload completes.
     */
    @Test
    void theNextServerRemovesTheDeadServersPartialFileAndLeavesALiveServersAlone(@TempDir Path tmp) throws Exception {
        Path uploads = Files.createDirectories(tmp.resolve("uploads"));
        String[] serve = {"serve", "--port", "0", "--mode", "files", "--dir", uploads.toString()};
        byte[] live = new byte[2000];
        new Random(8).nextBytes(live);

        // The live server starts first: its own start-up clean-up must not be what removes the dead one's file.
        try (SpindleProcess other = new SpindleProcess(serve);
             Socket client = UploadRequests.connect(other.awaitPort())) {
            Path dead;
            try (SpindleProcess killed = new SpindleProcess(serve);
                 Socket doomed = UploadRequests.connect(killed.awaitPort())) {
                doomed.getOutputStream().write(concat(header(upload("dead.bin", UNSENT_BODY)), new byte[1000]));
                dead = await("the killed server's partial file", () -> partialOfSize(uploads, 1000));
                killed.kill();
            }
            assertThat(dead).exists();

            OutputStream out = client.getOutputStream();
            out.write(concat(header(upload("live.bin", live.length)), java.util.Arrays.copyOf(live, 1000)));
            out.flush();
            Path inProgress = await("the live server's partial file",
                    () -> partialFiles(uploads).stream().filter(p -> !p.equals(dead)).findFirst().orElse(null));
            await("the live server's partial file to hold 1000 bytes", () -> size(inProgress) == 1000 ? true : null);

            try (SpindleProcess next = new SpindleProcess(serve)) {
                int nextPort = next.awaitPort();
                assertThat(dead).doesNotExist();
                assertThat(inProgress).exists();
                assertThat(next.output()).contains("removed 1 partial upload(s)")
                        .contains(dead.getFileName() + " (1000 bytes)")
                        .doesNotContain(inProgress.getFileName().toString());
                JsonNode served = JSON.readTree(exchange(nextPort, concat(header(upload("next.txt", 3)), bytes("abc"))));
                assertThat(served.get("ok").asBoolean()).as(served.toString()).isTrue();
                assertThat(next.terminate()).as(next.output()).isZero();
            }

            out.write(live, 1000, live.length - 1000);
            out.flush();
            JsonNode reply = JSON.readTree(replyLine(client));
            assertThat(reply.get("ok").asBoolean()).as(reply.toString()).isTrue();
            assertThat(reply.get("sha256").asText())
                    .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(live)));
            assertThat(uploads.resolve("live.bin")).hasBinaryContent(live);
            assertThat(inProgress).doesNotExist();
            assertThat(other.terminate()).isZero();
        }
        assertThat(listing(uploads)).containsExactly("live.bin", "next.txt");
    }

    /** A header whose filename is {@code jsonName} as written inside a JSON string (escapes and all). */
    private static String upload(String jsonName, long size) {
        return "{\"filename\":\"" + jsonName + "\",\"file_size\":" + size + "}";
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String hex(String name) {
        return HexFormat.of().formatHex(bytes(name));
    }

    /** The only partial file in {@code directory} if it holds exactly {@code size} bytes, else null. */
    private static Path partialOfSize(Path directory, long size) {
        try {
            List<Path> partial = partialFiles(directory);
            return partial.size() == 1 && Files.size(partial.get(0)) == size ? partial.get(0) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> listing(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    /** The names in {@code directory} as the hex of their bytes on disk, read by Python, whatever this JVM's locale. */
    private static List<String> rawNames(Path directory) throws Exception {
        String out = run("python3", "-c", "import os, sys\nfor n in sorted(os.listdir(sys.argv[1].encode())): print(n.hex())",
                directory.toString());
        return out.lines().toList();
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            return out;
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * A copy of the repository's launcher at {@code root}: the script and the scripts it sources,
     * and in place of the built jar one whose manifest names this JVM's class path, so that the
     * script finds a jar newer than every source it checks and runs it as it would the real one.
     */
    private static Path launcherCopy(Path root) throws IOException {
        Path repository = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
        assertThat(repository.resolve("spindle")).as("the launcher script in the repository").isRegularFile();
        Files.createDirectories(root.resolve("scripts"));
        Files.copy(repository.resolve("spindle"), root.resolve("spindle"));
        try (Stream<Path> scripts = Files.list(repository.resolve("scripts"))) {
            for (Path script : scripts.filter(s -> s.toString().endsWith(".sh")).toList()) {
                Files.copy(script, root.resolve("scripts").resolve(script.getFileName()));
            }
        }
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(Attributes.Name.MAIN_CLASS, Spindle.class.getName());
        LinkedHashSet<String> classPath = new LinkedHashSet<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            classPath.add(Path.of(entry).toAbsolutePath().toUri().toString());
        }
        main.put(Attributes.Name.CLASS_PATH, String.join(" ", classPath));
        Path jar = Files.createDirectories(root.resolve("spindle-cli/target")).resolve("spindle.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.flush();
        }
        return root;
    }
}
