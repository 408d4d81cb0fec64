package dev.spindle.cli;

import dev.spindle.net.Client;
import dev.spindle.net.Connection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code spindle client}: the seeds' {@code >>>} client. Interactive, each line typed is sent and
 * the server's answer printed; with {@code --send}, one message, then everything the server sends
 * back until it closes.
 */
@Command(name = "client", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Talks to a server: the seeds' interactive '>>>' loop, or one message with --send.",
                "Interactive: type a line to send it; 'q', 'quit', 'exit' or end of input (Ctrl-D) leaves."})
final class ClientCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    AddressOptions where = new AddressOptions();

    @Option(names = "--send", paramLabel = "TEXT",
            description = "Send TEXT, close the sending side, print the whole reply and exit.")
    String send;

    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "Give up when the server does not answer for this long (default: ${DEFAULT-VALUE}).",
            defaultValue = "10s")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        Client client = Client.builder().connectTimeout(timeout).readTimeout(timeout).writeTimeout(timeout).build();
        try (Connection connection = client.connect(where.address())) {
            return send != null ? oneShot(connection) : interactive(connection);
        }
    }

    private int oneShot(Connection connection) throws Exception {
        connection.sendAll(send.getBytes(StandardCharsets.UTF_8));
        connection.shutdownOutput();
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        byte[] chunk;
        while ((chunk = connection.recv(64 * 1024)).length > 0) {
            reply.write(chunk);
        }
        PrintWriter out = spec.commandLine().getOut();
        String text = reply.toString(StandardCharsets.UTF_8);
        out.print(text.endsWith("\n") ? text : text + "\n");
        out.flush();
        return 0;
    }

    /**
     * The seeds' loop. The reply to a line is taken to be complete when as many bytes as were sent
     * have come back, as from an echo or upper-case server; a server that answers with fewer is
     * waited for until {@code --timeout}, which then ends the client with its message.
     */
    private int interactive(Connection connection) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        out.println("connected to " + connection.peerAddress() + "; type a line, 'q' to leave");
        while (true) {
            out.print(">>> ");
            out.flush();
            String line = in.readLine();
            if (line == null || line.equals("q") || line.equals("quit") || line.equals("exit")) {
                return 0;
            }
            if (line.isEmpty()) {
                continue; // the seeds skip empty input: send(b'') would look like a close to some servers
            }
            byte[] message = line.getBytes(StandardCharsets.UTF_8);
            connection.sendAll(message);
            ByteArrayOutputStream reply = new ByteArrayOutputStream();
            while (reply.size() < message.length) {
                byte[] chunk = connection.recv(64 * 1024);
                if (chunk.length == 0) {
                    out.println("server: " + reply.toString(StandardCharsets.UTF_8));
                    out.println("(the server closed the connection)");
                    return 0;
                }
                reply.write(chunk);
            }
            out.println("server: " + reply.toString(StandardCharsets.UTF_8));
        }
    }
}
