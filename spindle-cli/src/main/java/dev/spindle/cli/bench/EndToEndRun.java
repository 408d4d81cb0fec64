package dev.spindle.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one server under one workload: the server pinned to CPU 0, {@code spindle load} pinned to
 * CPU 1 (where {@code taskset} exists, so that load and server do not trade a core), the load's
 * JSON report read back, the server's CPU and memory read from {@code /proc}.
 */
final class EndToEndRun {

    /** Idle connections held in the hold test: under the 20,000 files a process may open on the project's machine. */
    static final int HOLD_CONNECTIONS = 19_000;
    static final Duration HOLD_PING_EVERY = Duration.ofSeconds(5);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Contenders contenders;
    private final List<String> serverOptions;
    private final Duration warmup;
    private final Duration duration;
    /** Pinning needs taskset and two CPUs: one for the server, one for the load. */
    private final boolean pinned = Files.isExecutable(Path.of("/usr/bin/taskset"))
            && Runtime.getRuntime().availableProcessors() >= 2;
    private final long clockTicks;

    EndToEndRun(Contenders contenders, List<String> serverOptions, Duration warmup, Duration duration)
            throws IOException, InterruptedException {
        this.contenders = contenders;
        this.serverOptions = List.copyOf(serverOptions);
        this.warmup = warmup;
        this.duration = duration;
        Process getconf = new ProcessBuilder("getconf", "CLK_TCK").start();
        String ticks = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        getconf.waitFor();
        this.clockTicks = ticks.isEmpty() ? 100 : Long.parseLong(ticks);
    }

    boolean pinned() {
        return pinned;
    }

    Sample measure(String server, Workload w) throws IOException, InterruptedException {
        Path json = Files.createTempFile("spindle-bench-", ".json");
        try (RunningServer s = RunningServer.start(server, pinned(0, serverCommand(server)), START_TIMEOUT)) {
            long cpuBefore = s.cpuTicks();
            long start = System.nanoTime();
            List<String> load = pinned(1, contenders.loadCommand(List.of("--port", String.valueOf(s.port()),
                    "--connections", String.valueOf(w.connections()), "--size", String.valueOf(w.size()),
                    "--depth", String.valueOf(w.depth()), "--loops", "1", "--warmup", warmup.toMillis() + "ms",
                    "--duration", duration.toMillis() + "ms", "--json", json.toString())));
            Process loadProcess = new ProcessBuilder(load).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long limit = warmup.plus(duration).plusSeconds(60).toSeconds();
            if (!loadProcess.waitFor(limit, TimeUnit.SECONDS)) {
                loadProcess.destroyForcibly().waitFor();
                throw new IOException("the load against " + server + " did not finish in " + limit + " s");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long cpuTicks = s.cpuTicks() - cpuBefore;
            long rss = s.peakRssKiB();
            if (Files.size(json) == 0) {
                return new Sample(0, 0, 0, rss, false, 0);
            }
            JsonNode r = JSON.readTree(json.toFile());
            boolean clean = r.get("mismatches").asLong() == 0 && r.get("connectionsLost").asLong() == 0;
            return new Sample(r.get("messagesPerSecond").asDouble(), r.get("latencyMicros").get("p99").asDouble(),
                    100.0 * cpuTicks / clockTicks / seconds, rss, clean, r.get("minMessagesPerConnection").asLong());
        } finally {
            Files.deleteIfExists(json);
        }
    }

    /**
     * Holds {@link #HOLD_CONNECTIONS} idle connections to one server, pinging each once every
     * {@link #HOLD_PING_EVERY} (two rounds), and reports the server's resident memory per
     * connection over its idle baseline. The connections are blocking channels of this process,
     * spread over 127.0.0.1–10 as sources so that no source runs out of ports.
     */
    Hold hold(String server) throws IOException, InterruptedException {
        List<SocketChannel> channels = new ArrayList<>();
        try (RunningServer s = RunningServer.start(server, pinned(0, serverCommand(server)), START_TIMEOUT)) {
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", s.port());
            Thread.sleep(1_000);
            long baseline = s.rssKiB();
            for (int i = 0; i < HOLD_CONNECTIONS; i++) {
                SocketChannel c = SocketChannel.open();
                channels.add(c);
                c.bind(new InetSocketAddress("127.0.0." + (1 + i % 10), 0));
                c.connect(target);
            }
            boolean allAnswered = true;
            for (int round = 0; round < 2; round++) {
                long roundStart = System.nanoTime();
                allAnswered &= pingAll(channels);
                long left = HOLD_PING_EVERY.toNanos() - (System.nanoTime() - roundStart);
                TimeUnit.NANOSECONDS.sleep(Math.max(0, left));
            }
            long rss = s.rssKiB();
            return new Hold(server, HOLD_CONNECTIONS, (rss - baseline) / (double) HOLD_CONNECTIONS, rss, allAnswered);
        } finally {
            for (SocketChannel c : channels) {
                c.close();
            }
        }
    }

    /** Writes a 64-byte ping on every connection, then reads every echo back; true when all came back intact. */
    private static boolean pingAll(List<SocketChannel> channels) throws IOException {
        byte[] ping = new byte[64];
        Arrays.fill(ping, (byte) 'p');
        for (SocketChannel c : channels) {
            ByteBuffer b = ByteBuffer.wrap(ping);
            while (b.hasRemaining()) {
                c.write(b);
            }
        }
        boolean all = true;
        ByteBuffer reply = ByteBuffer.allocate(64);
        for (SocketChannel c : channels) {
            reply.clear();
            while (reply.hasRemaining()) {
                if (c.read(reply) < 0) {
                    all = false;
                    break;
                }
            }
            all &= Arrays.equals(reply.array(), ping);
        }
        return all;
    }

    /** The server's command with the run's JVM options after {@code java}. */
    private List<String> serverCommand(String server) {
        List<String> command = new ArrayList<>(contenders.serverCommand(server));
        command.addAll(1, serverOptions);
        return command;
    }

    private List<String> pinned(int cpu, List<String> command) {
        if (!pinned) {
            return command;
        }
        List<String> full = new ArrayList<>(List.of("taskset", "-c", String.valueOf(cpu)));
        full.addAll(command);
        return full;
    }
}
