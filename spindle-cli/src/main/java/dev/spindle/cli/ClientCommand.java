package dev.spindle.cli;

import dev.spindle.net.Client;
import dev.spindle.net.Connection;
import dev.spindle.net.DatagramClient;
import dev.spindle.net.Tls;
import picocli.CommandLine.ParameterException;

import javax.net.ssl.SSLHandshakeException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
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

    @Option(names = "--udp", description = {"Datagrams instead of a stream: UDP to --host/--port, or a Unix-domain "
            + "datagram socket with --unix. Each line is one datagram; its reply is one datagram (the seeds' UDP client)."})
    boolean udp;

    @Option(names = "--tls", description = "Speak TLS; the server's certificate must be trusted (the JDK's authorities, or --ca) and name --host.")
    boolean tls;

    @Option(names = "--ca", paramLabel = "FILE", description = "Trust the certificates in FILE (PEM) instead of the JDK's authorities (implies --tls).")
    Path ca;

    @Option(names = "--insecure", description = "Trust any certificate and skip the host-name check (implies --tls): "
            + "for a self-signed server whose fingerprint you check by eye. Encrypted, but not authenticated.")
    boolean insecure;

    @Option(names = "--send", paramLabel = "TEXT",
            description = "Send TEXT, close the sending side, print the whole reply and exit.")
    String send;

    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "Give up when the server does not answer for this long (default: ${DEFAULT-VALUE}).",
            defaultValue = "10s")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        boolean secure = tls || ca != null || insecure;
        if (udp && secure) {
            throw new ParameterException(spec.commandLine(), "--tls is for streams; datagrams would need DTLS, "
                    + "which spindle does not offer");
        }
        if (udp) {
            try (DatagramClient client = where.where.unix != null ? DatagramClient.openUnix() : DatagramClient.open()) {
                client.sendTimeout(timeout);
                return send != null ? oneDatagram(client) : interactive(client);
            }
        }
        Client.Builder builder = Client.builder().connectTimeout(timeout).readTimeout(timeout).writeTimeout(timeout);
        if (secure) {
            builder.tls(tlsSettings());
        }
        Connection opened;
        try {
            opened = builder.build().connect(where.address());
        } catch (SSLHandshakeException e) {
            String server = where.where.unix != null ? where.where.unix.toString() : where.host + ":" + where.where.port;
            throw new IOException("the TLS handshake with " + server + " failed: " + e.getMessage()
                    + (e.getMessage() != null && e.getMessage().contains("PKIX") ? "; the server's certificate is not "
                    + "trusted: give --ca FILE with it or its authority, or --insecure for a self-signed one" : ""), e);
        }
        try (Connection connection = opened) {
            if (secure && send == null) {
                spec.commandLine().getOut().println("TLS " + connection.tlsSession().getProtocol() + ", "
                        + connection.tlsSession().getCipherSuite());
            }
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

    private Tls tlsSettings() throws Exception {
        if (insecure && ca != null) {
            throw new ParameterException(spec.commandLine(), "--insecure trusts anything; --ca trusts FILE: give one");
        }
        if (insecure) {
            spec.commandLine().getErr().println("spindle client: --insecure: the server is not authenticated");
            return Tls.client(TlsMaterial.trustingAnything()).hostnameVerification(false);
        }
        if (ca != null) {
            try {
                return Tls.client(TlsMaterial.trusting(ca));
            } catch (IllegalArgumentException | java.nio.file.NoSuchFileException e) {
                throw new ParameterException(spec.commandLine(), e instanceof java.nio.file.NoSuchFileException
                        ? "no such file: " + e.getMessage() : e.getMessage());
            }
        }
        return Tls.client();
    }

    /** Where datagrams go: the Unix socket file, or the host (resolved now: a datagram goes to one address) and port. */
    private SocketAddress peer() throws java.net.UnknownHostException {
        if (where.where.unix != null) {
            return DatagramClient.unixAddress(where.where.unix);
        }
        InetSocketAddress address = (InetSocketAddress) where.address();
        return new InetSocketAddress(java.net.InetAddress.getByName(address.getHostString()), address.getPort());
    }

    /** One datagram, and the one that answers it. */
    private int oneDatagram(DatagramClient client) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        client.sendTo(send.getBytes(StandardCharsets.UTF_8), peer());
        String text = new String(client.receive(timeout).data(), StandardCharsets.UTF_8);
        out.print(text.endsWith("\n") ? text : text + "\n");
        out.flush();
        return 0;
    }

    /**
     * The seeds' UDP loop: each line is sent as a datagram with {@code sendto} and the reply read
     * with {@code recvfrom}. UDP may lose either; a reply that does not come within --timeout is
     * reported, and the loop goes on.
     */
    private int interactive(DatagramClient client) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        SocketAddress to = peer();
        out.println("sending datagrams to " + (where.where.unix != null ? where.where.unix : to)
                + "; type a line, 'q' to leave");
        String line;
        while ((line = prompt(in, out)) != null) {
            client.sendTo(line.getBytes(StandardCharsets.UTF_8), to);
            try {
                out.println("server: " + new String(client.receive(timeout).data(), StandardCharsets.UTF_8));
            } catch (SocketTimeoutException e) {
                out.println("(no reply within " + timeout + ": UDP may have lost the datagram or its reply)");
            }
        }
        return 0;
    }

    /**
     * The seeds' {@code >>>} prompt: the next line typed, or {@code null} when the user leaves
     * ('q', 'quit', 'exit' or end of input). Empty lines are skipped, as the seeds skip them:
     * {@code send(b'')} would look like a close to some servers.
     */
    private static String prompt(BufferedReader in, PrintWriter out) throws IOException {
        while (true) {
            out.print(">>> ");
            out.flush();
            String line = in.readLine();
            if (line == null || line.equals("q") || line.equals("quit") || line.equals("exit")) {
                return null;
            }
            if (!line.isEmpty()) {
                return line;
            }
        }
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
        String line;
        while ((line = prompt(in, out)) != null) {
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
        return 0;
    }
}
