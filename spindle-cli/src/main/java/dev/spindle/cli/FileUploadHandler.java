package dev.spindle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spindle.codec.FrameDecoder;
import dev.spindle.codec.FramingException;
import dev.spindle.codec.HeaderBodyFraming;
import dev.spindle.codec.HeaderBodyPart;
import dev.spindle.codec.LengthPrefixFraming;
import dev.spindle.net.Connection;
import dev.spindle.net.ConnectionHandler;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * The seeds' file-transfer server. Each upload on a connection is a 4-byte little-endian header
 * length ({@code struct.pack('i', n)}), a UTF-8 JSON header with {@code filename} and
 * {@code file_size} (or {@code size}), then exactly that many body bytes. Each file is written to a
 * hidden temporary file in the upload directory and moved into place only when complete, and the
 * client gets one JSON line: {@code {"ok":true,"filename":…,"size":…,"sha256":…}}.
 *
 * <p>Anything wrong (a name with a path separator or {@code ..}, a header over 64 KiB, a negative or
 * oversized length, JSON that is not such an object, a body cut short) gets one JSON line
 * {@code {"ok":false,"error":…}}, and that connection is closed; nothing is written outside the
 * directory and no partial file is left. Sharable: all state is per call.
 */
final class FileUploadHandler implements ConnectionHandler {

    static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a refused client gets to stop sending before the socket closes under it. */
    private static final Duration DRAIN_TIME = Duration.ofSeconds(1);
    private static final int DRAIN_LIMIT = 1024 * 1024;

    record Upload(String filename, long size) {
    }

    /** A request this server will not carry out; its message goes back to the client. */
    static final class UploadRefusedException extends IOException {
        private static final long serialVersionUID = 1L;

        UploadRefusedException(String message) {
            super(message);
        }
    }

    private final Path directory;
    private final HeaderBodyFraming<Upload> framing;

    FileUploadHandler(Path directory, long maxFileSize) throws IOException {
        this.directory = Files.createDirectories(directory).toRealPath();
        this.framing = HeaderBodyFraming.of(LengthPrefixFraming.pythonStructI(MAX_HEADER_BYTES),
                FileUploadHandler::parseHeader, Upload::size, maxFileSize);
    }

    Path directory() {
        return directory;
    }

    @Override
    public void handle(Connection connection) throws Exception {
        FrameDecoder<HeaderBodyPart<Upload>> decoder = framing.newDecoder();
        try {
            HeaderBodyPart<Upload> part;
            while ((part = connection.read(decoder)) != null) {
                if (!(part instanceof HeaderBodyPart.Header<Upload> header)) {
                    throw new IllegalStateException("decoder returned a body part where a header was due");
                }
                receive(connection, decoder, header.header());
            }
        } catch (FramingException | UploadRefusedException e) {
            refuse(connection, e.getMessage());
            throw e; // counted and logged by the server as this connection's failure
        }
    }

    private void receive(Connection connection, FrameDecoder<HeaderBodyPart<Upload>> decoder, Upload upload)
            throws IOException {
        Path target = targetFor(upload.filename());
        MessageDigest sha256 = sha256();
        Path partial = Files.createTempFile(directory, ".upload-", ".part");
        try {
            long written = 0;
            try (FileChannel out = FileChannel.open(partial, StandardOpenOption.WRITE)) {
                while (true) {
                    HeaderBodyPart<Upload> part = connection.read(decoder);
                    if (!(part instanceof HeaderBodyPart.Body<Upload> body)) {
                        throw new IllegalStateException("decoder ended a body without its last part");
                    }
                    ByteBuffer chunk = body.chunk();
                    sha256.update(chunk.duplicate());
                    while (chunk.hasRemaining()) {
                        written += out.write(chunk);
                    }
                    if (body.last()) {
                        break;
                    }
                }
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            ObjectNode reply = JSON.createObjectNode()
                    .put("ok", true)
                    .put("filename", target.getFileName().toString())
                    .put("size", written)
                    .put("sha256", HexFormat.of().formatHex(sha256.digest()));
            connection.sendAll((reply + "\n").getBytes(StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** Resolves a client's file name inside the directory, refusing anything that could leave it. */
    Path targetFor(String filename) throws UploadRefusedException {
        if (filename.isEmpty() || filename.equals(".") || filename.equals("..") || filename.startsWith(".")
                || filename.indexOf('/') >= 0 || filename.indexOf('\\') >= 0 || filename.indexOf('\0') >= 0) {
            throw new UploadRefusedException("filename '" + filename
                    + "' is not allowed: send a plain file name, without directories, not starting with '.'");
        }
        Path target = directory.resolve(filename).normalize();
        if (!directory.equals(target.getParent())) {
            throw new UploadRefusedException("filename '" + filename + "' would leave the upload directory");
        }
        return target;
    }

    static Upload parseHeader(ByteBuffer header) throws IOException {
        byte[] bytes = new byte[header.remaining()];
        header.get(bytes);
        JsonNode node = JSON.readTree(bytes);
        if (node == null || !node.isObject()) {
            throw new UploadRefusedException("the header must be a JSON object with filename and file_size");
        }
        JsonNode name = node.get("filename");
        if (name == null || !name.isTextual()) {
            throw new UploadRefusedException("the header has no \"filename\" string");
        }
        JsonNode size = node.has("file_size") ? node.get("file_size") : node.get("size");
        if (size == null || !size.canConvertToLong() || !size.isIntegralNumber()) {
            throw new UploadRefusedException("the header has no integer \"file_size\" (or \"size\")");
        }
        if (size.asLong() < 0) {
            throw new UploadRefusedException("file_size " + size.asLong() + " is negative");
        }
        return new Upload(name.asText(), size.asLong());
    }

    /**
     * Sends the error line, then reads and drops what the client is still sending for a moment
     * before the server closes: closing a socket with unread input makes the kernel send a reset,
     * which can destroy the error line before the client reads it.
     */
    private static void refuse(Connection connection, String reason) {
        try {
            ObjectNode reply = JSON.createObjectNode().put("ok", false).put("error", reason);
            connection.sendAll((reply + "\n").getBytes(StandardCharsets.UTF_8));
            connection.shutdownOutput();
            connection.readTimeout(DRAIN_TIME);
            ByteBuffer sink = ByteBuffer.allocate(16 * 1024);
            int drained = 0;
            int n;
            while (drained < DRAIN_LIMIT && (n = connection.recvInto(sink.clear())) > 0) {
                drained += n;
            }
        } catch (IOException ignored) {
            // the client is gone or did not stop in time: nothing more to tell it
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
