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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * The seeds' file-transfer server. Each upload on a connection is a 4-byte little-endian header
 * length ({@code struct.pack('i', n)}), a UTF-8 JSON header with {@code filename} and
 * {@code file_size} (or {@code filesize}, or {@code size}), then exactly that many body bytes. Each
 * file is written to a hidden, locked partial file in the upload directory ({@link PartialUpload})
 * and moved into place only when complete, and the client gets one JSON line:
 * {@code {"ok":true,"filename":…,"size":…,"sha256":…}}.
 *
 * <p>Anything wrong gets one JSON line {@code {"ok":false,"error":…}} saying what and what to send
 * instead, and that connection is closed: a header over 64 KiB, a negative or oversized length,
 * JSON that is not such an object, a file name the directory cannot hold (checked in full before
 * the body is read: see {@link UploadFileName}), a body cut short, and a failure to store the file
 * (a full disk, say). Nothing is written outside the directory and no partial file is left.
 * Sharable: all state is per call.
 *
 * <p>File names are stored as their UTF-8 bytes whatever the locale; a JVM whose locale is not
 * UTF-8 cannot do that, so it refuses non-ASCII names and says so when it starts.
 */
final class FileUploadHandler implements ConnectionHandler {

    static final int MAX_HEADER_BYTES = 64 * 1024;
    /** The header keys a client may give the body's length under, the first present counting. */
    private static final List<String> SIZE_KEYS = List.of("file_size", "filesize", "size");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(FileUploadHandler.class.getName());
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

        UploadRefusedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Path directory;
    private final HeaderBodyFraming<Upload> framing;

    /**
     * Serves uploads into {@code directory}, creating it if needed, and first removes the partial
     * files that servers killed mid-upload left there, leaving those of live servers alone.
     *
     * @throws IOException if the directory cannot be created or used, saying why
     */
    FileUploadHandler(Path directory, long maxFileSize) throws IOException {
        try {
            this.directory = Files.createDirectories(directory).toRealPath();
        } catch (IOException e) {
            throw new IOException("cannot use " + directory + " as the upload directory: " + UploadFileName.reason(e)
                    + "; choose a directory this user can create and write", e);
        }
        this.framing = HeaderBodyFraming.of(LengthPrefixFraming.pythonStructI(MAX_HEADER_BYTES),
                FileUploadHandler::parseHeader, Upload::size, maxFileSize);
        removeAbandonedUploads();
        if (!UploadFileName.namesFilesInUtf8()) {
            LOG.log(System.Logger.Level.WARNING, "uploads with non-ASCII names will be refused: "
                    + UploadFileName.cannotNameInUtf8("them"));
        }
    }

    private void removeAbandonedUploads() {
        try {
            List<String> removed = PartialUpload.removeAbandoned(directory);
            if (!removed.isEmpty()) {
                LOG.log(System.Logger.Level.INFO, "removed " + removed.size() + " partial upload(s) left in "
                        + directory + " by a server that stopped mid-upload: " + String.join(", ", removed));
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not look for partial uploads left in " + directory + ": "
                    + UploadFileName.reason(e));
        }
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

    /**
     * Stores one upload whose header has been read: the name is checked before any body byte is
     * read, and a failure to store after that still gets a reply, through {@link UploadRefusedException}.
     */
    private void receive(Connection connection, FrameDecoder<HeaderBodyPart<Upload>> decoder, Upload upload)
            throws IOException {
        Path target = UploadFileName.resolve(directory, upload.filename());
        MessageDigest sha256 = sha256();
        try (PartialUpload partial = PartialUpload.create(directory, UploadFileName.quote(upload.filename()))) {
            long written = 0;
            while (true) {
                HeaderBodyPart<Upload> part = connection.read(decoder);
                if (!(part instanceof HeaderBodyPart.Body<Upload> body)) {
                    throw new IllegalStateException("decoder ended a body without its last part");
                }
                ByteBuffer chunk = body.chunk();
                sha256.update(chunk.duplicate());
                written += partial.write(chunk);
                if (body.last()) {
                    break;
                }
            }
            partial.moveTo(target);
            ObjectNode reply = JSON.createObjectNode()
                    .put("ok", true)
                    .put("filename", target.getFileName().toString())
                    .put("size", written)
                    .put("sha256", HexFormat.of().formatHex(sha256.digest()));
            connection.sendAll((reply + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    static Upload parseHeader(ByteBuffer header) throws IOException {
        byte[] bytes = new byte[header.remaining()];
        header.get(bytes);
        JsonNode node = JSON.readTree(bytes);
        if (node == null || !node.isObject()) {
            throw new UploadRefusedException("the header must be a JSON object with filename and file_size");
        }
        JsonNode size = null;
        for (String key : SIZE_KEYS) {
            if (node.has(key)) {
                size = node.get(key);
                break;
            }
        }
        JsonNode name = node.get("filename");
        if (name == null || !name.isTextual()) {
            throw new UploadRefusedException("the header has no \"filename\" string");
        }
        if (size == null || !size.canConvertToLong() || !size.isIntegralNumber()) {
            throw new UploadRefusedException("the header has no integer \"file_size\" (or \"filesize\" or \"size\")");
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
