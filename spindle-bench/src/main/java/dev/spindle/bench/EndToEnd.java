package dev.spindle.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The end-to-end benchmark: every server of {@link EchoServers} under every workload, each server
 * in its own JVM pinned to CPU 0 and {@code spindle load} pinned to CPU 1 (where {@code taskset}
 * exists), repeated runs interleaved so that drift hits every server alike. Prints one Markdown
 * table: msgs/s, p99, server CPU, peak RSS, and the ratio to Netty on epoll (medians of the runs).
 *
 * <p>Usage: {@code EndToEnd [--reps N] [--warmup 2s] [--duration 4s] [--servers a,b] [--workloads a,b] [--out FILE]}.
 */
public final class EndToEnd {

    record Workload(String name, int connections, int size, int depth) {
    }

    /** The hold test's result: what each idle connection costs the server. */
    record Hold(String server, int connections, double kibPerConnection, long rssKiB, boolean allAnswered) {
    }

    /** The thread model is not run with more connections than this: one platform thread each does not finish in time here. */
    static final int THREADS_AT_MOST = 5_000;

    /** Idle connections held in the hold test: under the 20,000 files a process may open here. */
    static final int HOLD_CONNECTIONS = 19_000;
    static final Duration HOLD_PING_EVERY = Duration.ofSeconds(5);

    record Sample(double messagesPerSecond, double p99Micros, double serverCpuPercent, long peakRssKiB,
                  boolean clean, long minPerConnection) {
        /** A run that did not finish in time: it counts as no throughput and as not clean. */
        static Sample failed() {
            return new Sample(0, 0, 0, 0, false, 0);
        }
    }

    static final List<Workload> WORKLOADS = List.of(
            new Workload("ping-pong 64 B × 100", 100, 64, 1),
            new Workload("ping-pong 64 B × 1000", 1000, 64, 1),
            new Workload("ping-pong 64 B × 10000", 10_000, 64, 1),
            new Workload("64 B, 16 in flight × 1000", 1000, 64, 16),
            new Workload("16 KiB streaming × 100", 100, 16 * 1024, 4));

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String javaCommand = ProcessHandle.current().info().command().orElse("java");
    private final String classPath = System.getProperty("java.class.path");
    private final boolean taskset = Files.isExecutable(Path.of("/usr/bin/taskset"));
    private final long clockTicks;
    private final Duration warmup;
    private final Duration duration;

    private EndToEnd(Duration warmup, Duration duration) throws IOException, InterruptedException {
        this.warmup = warmup;
        this.duration = duration;
        this.clockTicks = Long.parseLong(run("getconf", "CLK_TCK").strip());
    }

    public static void main(String[] args) throws Exception {
        int reps = 2;
        Duration warmup = Duration.ofSeconds(2);
        Duration duration = Duration.ofSeconds(4);
        List<String> servers = EchoServers.NAMES;
        List<Workload> workloads = WORKLOADS;
        Path out = null;
        Path chart = null;
        boolean hold = true;
        for (int i = 0; i < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(value);
                case "--warmup" -> warmup = Duration.parse("PT" + value.toUpperCase(Locale.ROOT));
                case "--duration" -> duration = Duration.parse("PT" + value.toUpperCase(Locale.ROOT));
                case "--servers" -> servers = List.of(value.split(","));
                case "--workloads" -> workloads = WORKLOADS.stream()
                        .filter(w -> List.of(value.split(",")).contains(String.valueOf(WORKLOADS.indexOf(w) + 1)))
                        .toList();
                case "--out" -> out = Path.of(value);
                case "--chart" -> chart = Path.of(value);
                case "--hold" -> hold = Boolean.parseBoolean(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        EndToEnd bench = new EndToEnd(warmup, duration);
        Map<String, List<Sample>> samples = new LinkedHashMap<>();
        for (int rep = 0; rep < reps; rep++) {
            for (Workload w : workloads) {
                // Rotate the order each repetition, so no server always runs first or last.
                List<String> order = new ArrayList<>(servers);
                Collections.rotate(order, rep);
                for (String server : order) {
                    if (server.equals("thread") && w.connections() > THREADS_AT_MOST) {
                        continue; // measured once: the load did not finish within a minute
                    }
                    Sample s;
                    try {
                        s = bench.measure(server, w);
                    } catch (IOException e) {
                        System.err.println("rep " + (rep + 1) + "  " + w.name() + " " + server + ": " + e.getMessage());
                        s = Sample.failed();
                    }
                    samples.computeIfAbsent(w.name() + "|" + server, k -> new ArrayList<>()).add(s);
                    System.err.printf(Locale.ROOT, "rep %d  %-28s %-11s %,10.0f msgs/s  p99 %8.0f µs  cpu %5.1f%%  rss %,8d KiB%s%n",
                            rep + 1, w.name(), server, s.messagesPerSecond(), s.p99Micros(), s.serverCpuPercent(),
                            s.peakRssKiB(), s.clean() ? "" : "  (errors)");
                }
            }
        }
        String table = table(samples, servers, workloads, reps, warmup, duration, bench.taskset);
        if (hold) {
            List<Hold> holds = new ArrayList<>();
            for (String server : servers) {
                if (server.equals("thread")) {
                    continue; // 19,000 platform threads: a thread stack each, which the hold test need not prove
                }
                Hold h = bench.hold(server);
                holds.add(h);
                System.err.printf(Locale.ROOT, "hold %-11s %.1f KiB per connection (rss %,d KiB)%s%n", server,
                        h.kibPerConnection(), h.rssKiB(), h.allAnswered() ? "" : " (some pings unanswered)");
            }
            table += holdTable(holds);
        }
        System.out.println(table);
        if (chart != null) {
            Files.writeString(chart, chart(samples, servers, workloads), StandardCharsets.UTF_8);
        }
        if (out != null) {
            Files.writeString(out, table, StandardCharsets.UTF_8);
        }
    }

    private Sample measure(String server, Workload w) throws IOException, InterruptedException {
        List<String> serverCommand = pinned(0, javaCommand, "-Xmx2g", "-cp", classPath, EchoServers.class.getName(), server, "0");
        Process serverProcess = new ProcessBuilder(serverCommand).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Path json = Files.createTempFile("spindle-load-", ".json");
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(serverProcess.getInputStream(), StandardCharsets.UTF_8));
            String first = lines.readLine();
            if (first == null || !first.startsWith("listening ")) {
                throw new IOException(server + " did not start: " + first);
            }
            String port = first.substring("listening ".length());
            long pid = serverProcess.pid();
            long cpuBefore = cpuTicks(pid);
            long start = System.nanoTime();
            List<String> load = pinned(1, javaCommand, "-Xmx2g", "-cp", classPath, "dev.spindle.cli.Spindle", "load",
                    "--port", port, "--connections", String.valueOf(w.connections()), "--size", String.valueOf(w.size()),
                    "--depth", String.valueOf(w.depth()), "--loops", "1",
                    "--warmup", warmup.toMillis() + "ms", "--duration", duration.toMillis() + "ms", "--json", json.toString());
            Process loadProcess = new ProcessBuilder(load).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long limit = warmup.plus(duration).plusSeconds(60).toSeconds();
            if (!loadProcess.waitFor(limit, TimeUnit.SECONDS)) {
                loadProcess.destroyForcibly().waitFor();
                throw new IOException("load against " + server + " did not finish in " + limit + " s");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long cpuTicks = cpuTicks(pid) - cpuBefore;
            long rss = peakRssKiB(pid);
            if (Files.size(json) == 0) {
                return new Sample(0, 0, 0, rss, false, 0);
            }
            JsonNode r = JSON.readTree(json.toFile());
            boolean clean = r.get("mismatches").asLong() == 0 && r.get("connectionsLost").asLong() == 0;
            return new Sample(r.get("messagesPerSecond").asDouble(), r.get("latencyMicros").get("p99").asDouble(),
                    100.0 * cpuTicks / clockTicks / seconds, rss, clean, r.get("minMessagesPerConnection").asLong());
        } finally {
            serverProcess.getOutputStream().close();
            if (!serverProcess.waitFor(10, TimeUnit.SECONDS)) {
                serverProcess.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(json);
        }
    }

    /**
     * Holds {@link #HOLD_CONNECTIONS} idle connections to one server, pinging each once every
     * {@link #HOLD_PING_EVERY} (two rounds), and reports the server's resident memory per
     * connection over its idle baseline. The connections are plain blocking channels of this
     * process, spread over 127.0.0.1-10 as sources.
     */
    private Hold hold(String server) throws IOException, InterruptedException {
        List<String> serverCommand = pinned(0, javaCommand, "-Xmx2g", "-cp", classPath, EchoServers.class.getName(), server, "0");
        Process serverProcess = new ProcessBuilder(serverCommand).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<java.nio.channels.SocketChannel> channels = new ArrayList<>();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(serverProcess.getInputStream(), StandardCharsets.UTF_8));
            String first = lines.readLine();
            if (first == null || !first.startsWith("listening ")) {
                throw new IOException(server + " did not start: " + first);
            }
            java.net.InetSocketAddress target = new java.net.InetSocketAddress("127.0.0.1",
                    Integer.parseInt(first.substring("listening ".length())));
            Thread.sleep(1_000);
            long baseline = rssKiB(serverProcess.pid());
            for (int i = 0; i < HOLD_CONNECTIONS; i++) {
                java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open();
                c.bind(new java.net.InetSocketAddress("127.0.0." + (1 + i % 10), 0));
                c.connect(target);
                channels.add(c);
            }
            boolean allAnswered = true;
            for (int round = 0; round < 2; round++) {
                long roundStart = System.nanoTime();
                allAnswered &= pingAll(channels);
                long left = HOLD_PING_EVERY.toNanos() - (System.nanoTime() - roundStart);
                if (left > 0) {
                    Thread.sleep(TimeUnit.NANOSECONDS.toMillis(left));
                }
            }
            long rss = rssKiB(serverProcess.pid());
            return new Hold(server, HOLD_CONNECTIONS, (rss - baseline) / (double) HOLD_CONNECTIONS, rss, allAnswered);
        } finally {
            for (java.nio.channels.SocketChannel c : channels) {
                c.close();
            }
            serverProcess.getOutputStream().close();
            if (!serverProcess.waitFor(20, TimeUnit.SECONDS)) {
                serverProcess.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Writes a 64-byte ping on every connection, then reads every echo back; true when all came back intact. */
    private static boolean pingAll(List<java.nio.channels.SocketChannel> channels) throws IOException {
        byte[] ping = new byte[64];
        java.util.Arrays.fill(ping, (byte) 'p');
        for (java.nio.channels.SocketChannel c : channels) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(ping);
            while (b.hasRemaining()) {
                c.write(b);
            }
        }
        boolean all = true;
        java.nio.ByteBuffer reply = java.nio.ByteBuffer.allocate(64);
        for (java.nio.channels.SocketChannel c : channels) {
            reply.clear();
            while (reply.hasRemaining()) {
                if (c.read(reply) < 0) {
                    all = false;
                    break;
                }
            }
            all &= java.util.Arrays.equals(reply.array(), ping);
        }
        return all;
    }

    private static long rssKiB(long pid) throws IOException {
        return statusKiB(pid, "VmRSS:");
    }

    static String holdTable(List<Hold> holds) {
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "%nHold: %,d idle connections, a 64-byte ping on each every %d s (two rounds);"
                + " resident memory over the idle server's, per connection.%n%n", HOLD_CONNECTIONS,
                HOLD_PING_EVERY.toSeconds()));
        t.append("| server | KiB per connection | server RSS | every ping answered |\n|---|---:|---:|---|\n");
        for (Hold h : holds) {
            t.append(String.format(Locale.ROOT, "| %s | %.1f | %,d MiB | %s |%n", h.server(), h.kibPerConnection(),
                    h.rssKiB() / 1024, h.allAnswered() ? "yes" : "no"));
        }
        return t.toString();
    }

    private List<String> pinned(int cpu, String... command) {
        List<String> full = new ArrayList<>();
        if (taskset) {
            full.addAll(List.of("taskset", "-c", String.valueOf(cpu)));
        }
        full.addAll(List.of(command));
        return full;
    }

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime
    }

    private static long peakRssKiB(long pid) throws IOException {
        return statusKiB(pid, "VmHWM:");
    }

    private static long statusKiB(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** A grouped bar chart of msgs/s relative to Netty on epoll, one group per workload, as SVG. */
    static String chart(Map<String, List<Sample>> samples, List<String> servers, List<Workload> workloads) {
        String[] colours = {"#7f8c8d", "#2980b9", "#c0392b", "#8e44ad", "#f39c12", "#27ae60"};
        int barWidth = 14;
        int groupWidth = servers.size() * barWidth + 30;
        int width = 80 + groupWidth * workloads.size();
        int height = 360;
        int top = 40;
        int bottom = 300;
        double maxRatio = 1.5;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
                + "font-family='sans-serif' font-size='11'>%n", width, height));
        svg.append("<text x='10' y='20' font-size='14'>msgs/s relative to Netty on epoll (1.0 = Netty epoll)</text>\n");
        for (double r = 0; r <= maxRatio + 1e-9; r += 0.25) {
            double y = bottom - (bottom - top) * r / maxRatio;
            svg.append(String.format(Locale.ROOT, "<line x1='60' y1='%.1f' x2='%d' y2='%.1f' stroke='%s'/>"
                    + "<text x='55' y='%.1f' text-anchor='end'>%.2f</text>%n", y, width - 10, y,
                    r == 1.0 ? "#333" : "#ddd", y + 4, r));
        }
        for (int g = 0; g < workloads.size(); g++) {
            Workload w = workloads.get(g);
            List<Sample> base = samples.get(w.name() + "|netty-epoll");
            double baseline = base == null ? 0 : median(base.stream().map(Sample::messagesPerSecond).toList());
            int x0 = 70 + g * groupWidth;
            for (int i = 0; i < servers.size(); i++) {
                List<Sample> s = samples.get(w.name() + "|" + servers.get(i));
                if (s == null || baseline == 0) {
                    continue;
                }
                double ratio = Math.min(maxRatio, median(s.stream().map(Sample::messagesPerSecond).toList()) / baseline);
                double h = (bottom - top) * ratio / maxRatio;
                svg.append(String.format(Locale.ROOT, "<rect x='%d' y='%.1f' width='%d' height='%.1f' fill='%s'>"
                        + "<title>%s %s %.2f</title></rect>%n", x0 + i * barWidth, bottom - h, barWidth - 2, h,
                        colours[i % colours.length], w.name(), servers.get(i), ratio));
            }
            svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d' text-anchor='middle'>%s</text>%n",
                    x0 + servers.size() * barWidth / 2, bottom + 16, w.name().replace("×", "x")));
        }
        for (int i = 0; i < servers.size(); i++) {
            svg.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='10' height='10' fill='%s'/>"
                    + "<text x='%d' y='%d'>%s</text>%n", 70 + i * 110, height - 22, colours[i % colours.length],
                    84 + i * 110, height - 13, servers.get(i)));
        }
        return svg.append("</svg>\n").toString();
    }

    /**
     * Server CPU per message, the median over runs: on two cores the load generator saturates its
     * core before the server does, so msgs/s alone compares the client more than the servers.
     */
    private static double cpuMicrosPerMessage(List<Sample> runs) {
        return median(runs.stream().filter(r -> r.messagesPerSecond() > 0)
                .map(r -> r.serverCpuPercent() / 100 * 1e6 / r.messagesPerSecond()).toList());
    }

    static String table(Map<String, List<Sample>> samples, List<String> servers, List<Workload> workloads, int reps,
                        Duration warmup, Duration duration, boolean pinned) {
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "Medians of %d interleaved runs; %d s warm-up, %d s measured; server %s;"
                        + " load: `spindle load --loops 1`; %s.%n%n", reps, warmup.toSeconds(), duration.toSeconds(),
                pinned ? "pinned to CPU 0, load to CPU 1 (taskset)" : "not pinned (no taskset)",
                LocalDate.now()));
        t.append("| workload | server | msgs/s | p99 | server CPU | server CPU per msg | peak RSS | msgs/s × netty-epoll"
                + " | CPU per msg, netty-epoll ÷ this | min msgs per connection |\n");
        t.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Workload w : workloads) {
            List<Sample> base = samples.get(w.name() + "|netty-epoll");
            double baseline = base == null ? 0 : median(base.stream().map(Sample::messagesPerSecond).toList());
            double baseCost = base == null ? 0 : cpuMicrosPerMessage(base);
            for (String server : servers) {
                List<Sample> s = samples.get(w.name() + "|" + server);
                if (s == null) {
                    t.append(String.format(Locale.ROOT, "| %s | %s | not run: a platform thread per connection | | | | | | | |%n",
                            w.name(), server));
                    continue;
                }
                double rate = median(s.stream().map(Sample::messagesPerSecond).toList());
                double p99 = median(s.stream().map(Sample::p99Micros).toList());
                double cpu = median(s.stream().map(Sample::serverCpuPercent).toList());
                double rss = median(s.stream().map(x -> (double) x.peakRssKiB()).toList());
                long starved = s.stream().mapToLong(Sample::minPerConnection).min().orElse(0);
                boolean clean = s.stream().allMatch(Sample::clean);
                if (rate == 0) {
                    t.append(String.format(Locale.ROOT, "| %s | %s | did not finish in time | | | | | | | |%n", w.name(), server));
                    continue;
                }
                double cost = cpuMicrosPerMessage(s);
                t.append(String.format(Locale.ROOT, "| %s | %s | %,.0f%s | %,.0f µs | %.0f%% | %.2f µs | %,.0f MiB | %s | %s | %,d |%n",
                        w.name(), server, rate, clean ? "" : " (errors)", p99, cpu, cost, rss / 1024,
                        baseline > 0 ? String.format(Locale.ROOT, "%.2f", rate / baseline) : "–",
                        baseCost > 0 && cost > 0 ? String.format(Locale.ROOT, "%.2f", baseCost / cost) : "–", starved));
            }
        }
        return t.toString();
    }
}
