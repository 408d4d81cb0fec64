package dev.spindle.docs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The three ways a documented block is checked, each compiling it into a temporary directory
 * (deleted afterwards) and running it in a child JVM (killed afterwards, whatever happened).
 *
 * <ul>
 *   <li>{@link #runs}: a block that ends by itself exits with 0, leaves no exception on standard
 *       error and prints its documented output.</li>
 *   <li>{@link #serves}: a block that calls {@code serveForever()} is started on a free port in
 *       place of the documented one, and must accept a connection there and echo bytes back, then
 *       close when the client has finished sending. The pages' servers are echo servers; a page
 *       that documents another kind needs its own exchange here.</li>
 *   <li>{@link #answers}: a client block (it names the documented port but serves nothing) runs
 *       to completion against the server block above it on its page.</li>
 * </ul>
 */
final class ExampleCheck {

    /** How long a block may take to run to completion, child JVMs of its own included. */
    static final Duration RUN_LIMIT = Duration.ofSeconds(60);
    /** How long a server block may take to accept its first connection. */
    static final Duration START_LIMIT = Duration.ofSeconds(30);
    private static final Duration EXCHANGE_LIMIT = Duration.ofSeconds(10);

    private ExampleCheck() {
    }

    static void runs(JavaBlock block, List<String> inheritedImports) throws Exception {
        try (Classes classes = new Classes()) {
            ExampleProgram program = ExampleProgram.of(block, inheritedImports, ExampleProgram.DOCUMENTED_PORT);
            program.compileInto(classes.dir, classes.path);
            try (ExampleJvm jvm = ExampleJvm.start(program, classes.dir, classes.path)) {
                jvm.assertRunsToCompletion(RUN_LIMIT);
            }
        }
    }

    static void serves(JavaBlock server, List<String> inheritedImports) throws Exception {
        int port = freePort();
        try (Classes classes = new Classes()) {
            ExampleProgram program = ExampleProgram.of(server, inheritedImports, port);
            program.compileInto(classes.dir, classes.path);
            try (ExampleJvm jvm = ExampleJvm.start(program, classes.dir, classes.path);
                    Socket socket = jvm.awaitAccepting(port, START_LIMIT)) {
                assertEchoes(jvm, socket);
                jvm.assertNoExceptionOnStderr();
            }
        }
    }

    static void answers(JavaBlock client, List<String> clientImports, JavaBlock server, List<String> serverImports)
            throws Exception {
        int port = freePort();
        try (Classes classes = new Classes()) {
            ExampleProgram serverProgram = ExampleProgram.of(server, serverImports, port);
            ExampleProgram clientProgram = ExampleProgram.of(client, clientImports, port);
            serverProgram.compileInto(classes.dir, classes.path);
            clientProgram.compileInto(classes.dir, classes.path);
            try (ExampleJvm serverJvm = ExampleJvm.start(serverProgram, classes.dir, classes.path)) {
                serverJvm.awaitAccepting(port, START_LIMIT).close();
                try (ExampleJvm clientJvm = ExampleJvm.start(clientProgram, classes.dir, classes.path)) {
                    clientJvm.assertRunsToCompletion(RUN_LIMIT);
                }
                serverJvm.assertNoExceptionOnStderr();
            }
        }
    }

    /** Sends bytes, expects the same bytes back, then half-closes and expects the server to close too. */
    private static void assertEchoes(ExampleJvm server, Socket socket) throws IOException {
        byte[] sent = "spindle's documentation, echoed\n".getBytes(StandardCharsets.UTF_8);
        socket.setSoTimeout((int) EXCHANGE_LIMIT.toMillis());
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        byte[] received;
        int after;
        try {
            out.write(sent);
            out.flush();
            received = in.readNBytes(sent.length);
            if (Arrays.equals(received, sent)) {
                socket.shutdownOutput();
                after = in.read();
            } else {
                after = -1;
            }
        } catch (IOException e) {
            AssertionError failure = server.failure("failed the exchange (" + e + ") instead of echoing "
                    + sent.length + " bytes and closing after the client");
            failure.initCause(e);
            throw failure;
        }
        if (!Arrays.equals(received, sent)) {
            throw server.failure("answered " + printable(received) + " to " + printable(sent) + " instead of echoing it");
        }
        if (after != -1) {
            throw server.failure("sent byte " + after + " after the echo instead of closing when the client closed");
        }
    }

    /** The bytes as a quoted string, each byte outside printable ASCII as {@code \xNN}. */
    private static String printable(byte[] bytes) {
        StringBuilder s = new StringBuilder("\"");
        for (byte b : bytes) {
            s.append(b >= 0x20 && b < 0x7f && b != '\\' ? Character.toString(b) : String.format("\\x%02x", b & 0xff));
        }
        return s.append('"').toString();
    }

    /**
     * A port nothing listens on right now. Another process could take it before the example
     * binds it; the example then fails to start and says so, which is rare and loud, not silent.
     */
    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** A temporary directory for the examples' classes and output, deleted on close; and the class path to compile against. */
    private static final class Classes implements AutoCloseable {
        final Path dir = Files.createTempDirectory("spindle-docs-");
        final String path = System.getProperty("java.class.path");

        Classes() throws IOException {
        }

        @Override
        public void close() throws IOException {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
