package dev.spindle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** The seeds' upload protocol as raw bytes, for talking to a {@code --mode files} server over a real socket. */
final class UploadRequests {

    static final ObjectMapper JSON = new ObjectMapper();

    private UploadRequests() {
    }

    /** struct.pack('i', len(header)) + header */
    static byte[] header(String json) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        return concat(lengthOnly(h.length), h);
    }

    static byte[] lengthOnly(int length) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(length).array();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Sends {@code request} on a new connection and returns the server's reply line; fails on end of stream. */
    static String exchange(int port, byte[] request) throws IOException {
        try (Socket socket = connect(port)) {
            socket.getOutputStream().write(request);
            return replyLine(socket);
        }
    }

    static Socket connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(20_000);
        return socket;
    }

    /** The next line the server sends on {@code socket}, which must not end first. */
    static String replyLine(Socket socket) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        String line = in.readLine();
        assertThat(line).as("a reply line, not the end of the stream").isNotNull();
        return line;
    }

    /** Asserts the reply is {@code {"ok":false}} with an error containing each of {@code says}. */
    static JsonNode assertRefused(String reply, String... says) throws IOException {
        JsonNode node = JSON.readTree(reply);
        assertThat(node.get("ok").asBoolean()).as(reply).isFalse();
        assertThat(node.get("error").asText()).contains(says);
        return node;
    }

    /** The server's partial files in {@code directory}. */
    static List<Path> partialFiles(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().startsWith(PartialUpload.PREFIX)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits, bounded, until {@code condition} returns a non-null value, and returns it. */
    static <T> T await(String what, Supplier<T> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            T value = condition.get();
            if (value != null) {
                return value;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("waited 30 s for " + what);
    }
}
