package dev.spindle.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spindle.fory.ForySerializer;
import dev.spindle.process.JavaSerializer;
import dev.spindle.process.Pipe;
import dev.spindle.process.PipeConnection;
import dev.spindle.process.Process;
import dev.spindle.process.Serializer;
import dev.spindle.process.StartMethod;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Spindle's processes and pipes against Python's {@code multiprocessing}, measured in the same run
 * on the same machine: {@code python/mp_bench.py} runs the Python side with the same shapes, and
 * the rounds alternate between the two.
 *
 * <ul>
 *   <li>Start + join of a process that runs an empty task: SPAWN, and WARM with a standby ready
 *   (the standby set refills between runs, untimed, as Python's fork server is already running),
 *   against Python's fork, spawn and forkserver; WARM back to back (the set left to refill
 *   itself); and 8 WARM processes started at once, against Python's fork and forkserver.</li>
 *   <li>Pipe messages per second, child to parent, after an equal warm-up batch: 64-byte byte
 *   arrays, small objects (a record of an int, a string and a double; Python sends the same
 *   tuple), once through the default {@link JavaSerializer} and once through
 *   {@code spindle-fory}'s {@link ForySerializer}, and 64 KiB byte arrays; and parent to child,
 *   64-byte byte arrays, timed until the child says it received them all (the child then receives
 *   through the parent, which holds the pipe).</li>
 * </ul>
 *
 * <p>Options: {@code --rounds N} (2), {@code --runs N} start+join runs per method and round (20),
 * {@code --messages N} (200,000; the 64 KiB case sends a twentieth), {@code --out FILE}.
 */
public final class ProcessBench {

    /** The small object of the pipe benchmark: Python sends the tuple {@code (i, "hello", 3.14)}. */
    public record Quote(int id, String text, double value) implements Serializable {
    }

    /** How many processes the "at once" row starts together. */
    static final int BURST = 8;

    private ProcessBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = 2;
        int runs = 20;
        int messages = 200_000;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--messages" -> messages = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path script = Path.of(System.getProperty("spindle.bench.python", "spindle-bench/python/mp_bench.py"));
        Map<String, List<Double>> start = new LinkedHashMap<>();
        Map<String, List<Double>> pipe = new LinkedHashMap<>();
        Instant began = Instant.now();
        for (int round = 0; round < rounds; round++) {
            for (JsonNode row : python(script, "start", runs, messages)) {
                start.computeIfAbsent(row.get("name").asText(), k -> new ArrayList<>()).add(row.get("median_ms").asDouble());
            }
            for (StartMethod method : StartMethod.values()) {
                start.computeIfAbsent("spindle " + method.name().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(startJoin(method, runs, true));
            }
            // Issue 15's shapes: a user's loop of start(); join(), the standby left to refill itself.
            start.computeIfAbsent("spindle warm, back to back", k -> new ArrayList<>())
                    .add(startJoin(StartMethod.WARM, runs, false));
            start.computeIfAbsent("spindle warm, " + BURST + " at once", k -> new ArrayList<>())
                    .add(startJoinBurst(Math.max(1, runs / BURST)));
            // The standby set refills what the burst took; that boots JVMs, which the pipe rows must not share the cores with.
            Process.prepareWarmStandby(Duration.ofMinutes(1));
            for (JsonNode row : python(script, "pipe", runs, messages)) {
                pipe.computeIfAbsent("python " + row.get("payload").asText(), k -> new ArrayList<>())
                        .add(row.get("msgs_per_s").asDouble());
            }
            for (String kind : List.of("bytes64", "objects", "objects-fory", "bytes64k")) {
                int n = kind.equals("bytes64k") ? messages / 20 : messages;
                pipe.computeIfAbsent("spindle " + kind, k -> new ArrayList<>()).add(pipeRate(kind, n));
            }
            pipe.computeIfAbsent("spindle down64", k -> new ArrayList<>()).add(pipeDownRate(messages));
            System.err.printf("round %d of %d done%n", round + 1, rounds);
        }
        String table = table(start, pipe, rounds, runs, messages, began);
        System.out.print(table);
        if (out != null) {
            Files.writeString(out, table);
        }
    }

    /**
     * The median start + join time in milliseconds over {@code runs} runs, after three untimed ones;
     * for WARM, with the standby waited for before each start, or only before the first.
     */
    static double startJoin(StartMethod method, int runs, boolean standbyReady) throws Exception {
        Histogram micros = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
        for (int i = 0; i < runs + 3; i++) {
            if (method == StartMethod.WARM && (standbyReady || i == 0)
                    && !Process.prepareWarmStandby(Duration.ofMinutes(1))) {
                throw new IllegalStateException("the WARM standby set did not fill within a minute");
            }
            long t0 = System.nanoTime();
            Process<Void> p = Process.target(ProcessBench::noop).startMethod(method).start();
            p.join();
            long t1 = System.nanoTime();
            if (p.exitCode().orElseThrow() != 0) {
                throw new IllegalStateException("the benchmark's child exited with " + p.exitCode());
            }
            if (i >= 3) {
                micros.recordValue(TimeUnit.NANOSECONDS.toMicros(t1 - t0));
            }
        }
        return micros.getValueAtPercentile(50) / 1000.0;
    }

    /**
     * The median start + join time in milliseconds of {@link #BURST} WARM processes started one
     * after another from one thread and then joined in turn, each timed from its start to its join
     * returning, over {@code bursts} bursts after an untimed one; the standby set is prepared for
     * the whole burst before each. Python's side does the same with fork and forkserver.
     */
    static double startJoinBurst(int bursts) throws Exception {
        Histogram micros = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
        for (int b = 0; b < bursts + 1; b++) {
            if (!Process.prepareWarmStandby(BURST, Duration.ofMinutes(1))) {
                throw new IllegalStateException("the WARM standby set did not fill within a minute");
            }
            long[] began = new long[BURST];
            List<Process<Void>> started = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                began[i] = System.nanoTime();
                started.add(Process.target(ProcessBench::noop).startMethod(StartMethod.WARM).start());
            }
            for (int i = 0; i < BURST; i++) {
                started.get(i).join();
                long took = System.nanoTime() - began[i];
                if (started.get(i).exitCode().orElseThrow() != 0) {
                    throw new IllegalStateException("the benchmark's child exited with " + started.get(i).exitCode());
                }
                if (b > 0) {
                    micros.recordValue(TimeUnit.NANOSECONDS.toMicros(took));
                }
            }
        }
        return micros.getValueAtPercentile(50) / 1000.0;
    }

    static void noop() {
    }

    /**
     * Messages per second from a child to this process, after a warm-up batch of the same size.
     * {@code objects-fory} sends what {@code objects} sends, through a {@link ForySerializer}.
     */
    static double pipeRate(String kind, int n) throws Exception {
        Serializer serializer = kind.equals("objects-fory") ? ForySerializer.registering(Quote.class)
                : JavaSerializer.defaults().allow(Quote.class);
        Pipe pipe = Pipe.open(true, serializer);
        PipeConnection left = pipe.left();
        PipeConnection right = pipe.right();
        try (Process<Void> producer = Process.target(() -> produce(right, kind, n)).allow(Quote.class).start()) {
            double rate = 0;
            for (int batch = 0; batch < 2; batch++) {
                long t0 = System.nanoTime();
                left.send("go");
                for (int i = 0; i < n; i++) {
                    if (kind.startsWith("objects")) {
                        left.recv();
                    } else {
                        left.recvBytes();
                    }
                }
                rate = n / ((System.nanoTime() - t0) / 1e9);
            }
            producer.join();
            left.close();
            return rate;
        }
    }

    /**
     * Messages per second from this process to a child, 64 bytes each, timed until the child says it
     * has received them all; after a warm-up batch of the same size.
     */
    static double pipeDownRate(int n) throws Exception {
        Pipe pipe = Pipe.open();
        PipeConnection left = pipe.left();
        PipeConnection right = pipe.right();
        try (Process<Void> consumer = Process.target(() -> consume(right, n)).start()) {
            byte[] payload = new byte[64];
            double rate = 0;
            for (int batch = 0; batch < 2; batch++) {
                long t0 = System.nanoTime();
                left.send("go");
                for (int i = 0; i < n; i++) {
                    left.sendBytes(payload);
                }
                left.recv();
                rate = n / ((System.nanoTime() - t0) / 1e9);
            }
            consumer.join();
            left.close();
            return rate;
        }
    }

    static void consume(PipeConnection conn, int n) {
        try (conn) {
            for (int batch = 0; batch < 2; batch++) {
                conn.recv();
                for (int i = 0; i < n; i++) {
                    conn.recvBytes();
                }
                conn.send("done");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void produce(PipeConnection conn, String kind, int n) {
        byte[] payload = new byte[kind.equals("bytes64k") ? 65536 : 64];
        try (conn) {
            for (int batch = 0; batch < 2; batch++) {
                conn.recv();
                for (int i = 0; i < n; i++) {
                    if (kind.startsWith("objects")) {
                        conn.send(new Quote(i, "hello", 3.14));
                    } else {
                        conn.sendBytes(payload);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<JsonNode> python(Path script, String part, int runs, int messages) throws Exception {
        return pythonRows(script, "--part", part, "--runs", Integer.toString(runs), "--messages",
                Integer.toString(messages));
    }

    /** Runs {@code python3 script args...} and returns the JSON object it prints on each line. */
    static List<JsonNode> pythonRows(Path script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("python3", script.toString()));
        command.addAll(List.of(args));
        return jsonRows(command);
    }

    /** Runs {@code command} (a peer's side of a benchmark) and reads the JSON object on each line it prints. */
    static List<JsonNode> jsonRows(List<String> command) throws Exception {
        java.lang.Process python = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<JsonNode> rows = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(python.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                rows.add(json.readTree(line));
            }
        }
        if (!python.waitFor(10, TimeUnit.MINUTES) || python.exitValue() != 0) {
            python.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
        return rows;
    }

    private static String table(Map<String, List<Double>> start, Map<String, List<Double>> pipe, int rounds,
            int runs, int messages, Instant began) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Measured %s, %d rounds alternating Python and Spindle; Java %s, %s.%n%n",
                began, rounds, Runtime.version(), pythonVersion()));
        md.append(String.format(Locale.ROOT, "Start + join of an empty task (median of %d runs per round; the "
                + "median of the rounds' medians):%n%n", runs));
        md.append("| start method | ms | Python fork ÷ this |\n|---|---:|---:|\n");
        double fork = median(start.get("python fork"));
        start.forEach((name, values) -> md.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f× |%n",
                name, median(values), fork / median(values))));
        md.append(String.format(Locale.ROOT, "%nPipe, child to parent unless the row says otherwise (%,d messages; "
                + "64 KiB: %,d; after an equal warm-up batch):%n%n", messages, messages / 20));
        md.append("| payload | Python msgs/s | Spindle msgs/s | Spindle ÷ Python |\n|---|---:|---:|---:|\n");
        for (String kind : List.of("bytes64", "objects", "objects-fory", "bytes64k", "down64")) {
            // Python has one way to send an object: pickle. Both Spindle rows are set against it.
            double py = median(pipe.get("python " + (kind.equals("objects-fory") ? "objects" : kind)));
            double sp = median(pipe.get("spindle " + kind));
            md.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.2f× |%n", label(kind), py, sp, sp / py));
        }
        return md.toString();
    }

    private static String label(String kind) {
        return switch (kind) {
            case "bytes64" -> "64 B byte array";
            case "objects" -> "small object (int, string, double)";
            case "objects-fory" -> "small object, ForySerializer (spindle-fory)";
            case "down64" -> "64 B byte array, parent to child";
            default -> "64 KiB byte array";
        };
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static String pythonVersion() {
        try {
            java.lang.Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return v;
        } catch (IOException e) {
            return "python3 (version unknown)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "python3 (version unknown)";
        }
    }
}
