package dev.spindle.bench;

import dev.spindle.net.Client;
import dev.spindle.net.Connection;
import dev.spindle.net.Tls;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * TLS echo: messages per second over {@code --connections} (100) TLS connections, 64 B ping-pong,
 * and new TLS connections per second (handshake, one byte each way, close), for Spindle's TLS under
 * the event-loop and virtual models and Netty's {@code SslHandler} on the JDK provider, in one run.
 * Each server runs in its own JVM (pinned to CPU 0 where {@code taskset} exists; the
 * {@code tls-bench} script pins this load to CPU 1), serving the same EC P-256 key made by
 * {@code keytool}; TLS 1.3 throughout. Servers are measured in turn, the order rotating each
 * round; the table shows medians and the ratio to Netty.
 *
 * <p>Options: {@code --rounds N (3) --seconds S (3) --connections C (100) --handshakers H (4) --out FILE}.
 */
public final class TlsBench {

    private static final String PASSWORD = "spindle-bench";

    private int rounds = 3;
    private int seconds = 3;
    private int connections = 100;
    private int handshakers = 4;
    private Path out;
    private final boolean taskset = Files.isExecutable(Path.of("/usr/bin/taskset"));
    private Tls clientTls;

    private TlsBench() {
    }

    public static void main(String[] args) throws Exception {
        TlsBench bench = new TlsBench();
        for (int i = 0; i < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--rounds" -> bench.rounds = Integer.parseInt(value);
                case "--seconds" -> bench.seconds = Integer.parseInt(value);
                case "--connections" -> bench.connections = Integer.parseInt(value);
                case "--handshakers" -> bench.handshakers = Integer.parseInt(value);
                case "--out" -> bench.out = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory("spindle-tls-bench-");
        try {
            bench.run(keyStore(dir));
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** A key and self-signed certificate for localhost, made by the JDK's keytool. */
    private static Path keyStore(Path dir) throws Exception {
        Path store = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", "CN=localhost", "-validity", "2", "-keystore", store.toString(),
                "-storetype", "PKCS12", "-storepass", PASSWORD).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        return store;
    }

    private void run(Path keyStore) throws Exception {
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        clientTls = Tls.client(trustAll).hostnameVerification(false).protocols("TLSv1.3");
        List<String> servers = TlsEchoServers.NAMES;
        Map<String, List<double[]>> samples = new LinkedHashMap<>();
        servers.forEach(s -> samples.put(s, new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < servers.size(); k++) {
                String server = servers.get((k + round) % servers.size());
                double[] result = measure(server, keyStore);
                samples.get(server).add(result);
                System.err.printf(Locale.ROOT, "round %d %-12s %,10.0f msgs/s  %,8.0f handshakes/s%n", round + 1,
                        server, result[0], result[1]);
            }
        }
        String table = table(samples);
        System.out.println(table);
        if (out != null) {
            Files.writeString(out, table);
        }
    }

    /** @return echo messages per second and new connections per second, for one server */
    private double[] measure(String server, Path keyStore) throws Exception {
        List<String> command = new ArrayList<>();
        if (taskset) {
            command.addAll(List.of("taskset", "-c", "0"));
        }
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), TlsEchoServers.class.getName(), server,
                "0", keyStore.toString(), PASSWORD));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String first = lines.readLine();
            if (first == null || !first.startsWith("listening ")) {
                throw new IOException(server + " did not start: " + first);
            }
            int port = Integer.parseInt(first.substring("listening ".length()).trim());
            echo(port, 1);
            double messages = echo(port, seconds);
            handshakes(port, 1);
            double opened = handshakes(port, seconds);
            return new double[] {messages, opened};
        } finally {
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Ping-pong of 64 B on {@link #connections} TLS connections, one virtual thread each. */
    private double echo(int port, int forSeconds) throws Exception {
        Client client = Client.builder().tls(clientTls).readTimeout(Duration.ofSeconds(30)).build();
        List<Connection> open = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                open.add(client.connect("127.0.0.1", port));
            }
            LongAdder messages = new LongAdder();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(forSeconds);
            List<Thread> threads = new ArrayList<>();
            byte[] payload = new byte[64];
            for (Connection c : open) {
                threads.add(Thread.ofVirtual().name("tls-echo").start(() -> {
                    try {
                        long n = 0;
                        while (System.nanoTime() - end < 0) {
                            c.sendAll(payload);
                            c.recvExactly(payload.length);
                            n++;
                        }
                        messages.add(n);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            return messages.sum() / (double) forSeconds;
        } finally {
            open.forEach(Connection::close);
        }
    }

    /** New TLS connections per second: handshake, one byte each way, close; {@link #handshakers} threads. */
    private double handshakes(int port, int forSeconds) throws Exception {
        Client client = Client.builder().tls(clientTls).readTimeout(Duration.ofSeconds(30)).build();
        LongAdder opened = new LongAdder();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(forSeconds);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < handshakers; i++) {
            threads.add(Thread.ofPlatform().name("tls-handshake-" + i).start(() -> {
                try {
                    while (System.nanoTime() - end < 0) {
                        try (Connection c = client.connect("127.0.0.1", port)) {
                            c.sendAll(new byte[] {1});
                            c.recvExactly(1);
                        }
                        opened.increment();
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return opened.sum() / (double) forSeconds;
    }

    private String table(Map<String, List<double[]>> samples) {
        double nettyMessages = median(samples.get("netty-nio"), 0);
        double nettyOpened = median(samples.get("netty-nio"), 1);
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "TLS 1.3 echo (EC P-256, JDK provider), %d connections x 64 B ping-pong; new "
                + "connections with %d threads; %d s per run, median of %d rounds (%s)%n%n", connections, handshakers,
                seconds, rounds, taskset ? "server pinned to CPU 0, load to CPU 1" : "not pinned"));
        t.append("| server | msgs/s | vs Netty | new connections/s | vs Netty |\n|---|---:|---:|---:|---:|\n");
        for (Map.Entry<String, List<double[]>> e : samples.entrySet()) {
            double messages = median(e.getValue(), 0);
            double opened = median(e.getValue(), 1);
            t.append(String.format(Locale.ROOT, "| %s | %,.0f | %.2f× | %,.0f | %.2f× |%n", label(e.getKey()), messages,
                    messages / nettyMessages, opened, opened / nettyOpened));
        }
        return t.toString();
    }

    private static String label(String server) {
        return switch (server) {
            case "netty-nio" -> "Netty NIO + SslHandler (JDK provider, 1 loop)";
            case "event-loop" -> "Spindle event-loop(1) + Tls";
            default -> "Spindle " + server + " + Tls";
        };
    }

    private static double median(List<double[]> values, int index) {
        double[] sorted = values.stream().mapToDouble(v -> v[index]).sorted().toArray();
        return sorted.length == 0 ? 0 : sorted[sorted.length / 2];
    }
}
