package dev.spindle.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spindle.process.pool.ProcessPool;
import dev.spindle.process.pool.ProcessPoolExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

/**
 * {@link ProcessPool} and {@link ProcessPoolExecutor} against Python's {@code multiprocessing.Pool}
 * and {@code concurrent.futures.ProcessPoolExecutor}, in the same run on the same machine
 * ({@code python/mp_pool_bench.py} runs the Python side with the same shapes; rounds alternate).
 * Pools of two workers:
 * <ul>
 *   <li>{@code map} of an identity function over 100,000 ints, with chunk size 1 and with the
 *   default chunks: items per second;</li>
 *   <li>{@code applyAsync(f, i).get()}, one after another: the round trip;</li>
 *   <li>a CPU-bound {@code map} (16 items, each a loop of multiply-adds) on one worker and on two:
 *   the speed-up;</li>
 *   <li>the executor: submit 20,000 identity tasks, then wait for all.</li>
 * </ul>
 * Each measurement runs once to warm up and once timed, as on the Python side.
 *
 * <p>Options: {@code --rounds N} (3), {@code --out FILE}.
 */
public final class PoolBench {

    private static final int WORKERS = 2;
    private static final int ITEMS = 100_000;
    private static final int ROUND_TRIPS = 2_000;
    private static final int CPU_ITEMS = 16;
    private static final int CPU_N = 40_000_000;
    private static final int SUBMITS = 20_000;

    private PoolBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = 3;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path script = Path.of(System.getProperty("spindle.bench.python", "spindle-bench/python/mp_pool_bench.py"));
        Map<String, List<Double>> python = new LinkedHashMap<>();
        Map<String, List<Double>> spindle = new LinkedHashMap<>();
        Instant began = Instant.now();
        for (int round = 0; round < rounds; round++) {
            for (JsonNode row : ProcessBench.pythonRows(script, "--workers", Integer.toString(WORKERS))) {
                String what = row.get("what").asText();
                JsonNode value = row.has("per_s") ? row.get("per_s") : row.has("us") ? row.get("us") : row.get("speedup");
                python.computeIfAbsent(what, k -> new ArrayList<>()).add(value.asDouble());
            }
            measure(spindle);
            System.err.printf("round %d of %d done%n", round + 1, rounds);
        }
        String table = table(python, spindle, rounds, began);
        System.out.print(table);
        if (out != null) {
            Files.writeString(out, table);
        }
    }

    private static void measure(Map<String, List<Double>> results) throws Exception {
        List<Integer> items = IntStream.range(0, ITEMS).boxed().toList();
        double many;
        try (ProcessPool pool = ProcessPool.create(WORKERS)) {
            pool.apply(() -> 0); // the workers are up
            add(results, "map-chunk-1", ITEMS / timed(() -> pool.map(PoolBench::identity, items, 1)));
            add(results, "map-default", ITEMS / timed(() -> pool.map(PoolBench::identity, items)));
            add(results, "apply-async-round-trip", timed(() -> {
                for (int i = 0; i < ROUND_TRIPS; i++) {
                    pool.applyAsync(PoolBench::identity, i).get();
                }
            }) / ROUND_TRIPS * 1e6);
            List<Integer> cpu = Collections.nCopies(CPU_ITEMS, CPU_N);
            many = timed(() -> pool.map(PoolBench::burn, cpu));
        }
        try (ProcessPool one = ProcessPool.create(1)) {
            one.apply(() -> 0);
            double single = timed(() -> one.map(PoolBench::burn, Collections.nCopies(CPU_ITEMS, CPU_N)));
            add(results, "cpu-map-speedup", single / many);
        }
        try (ProcessPoolExecutor executor = ProcessPoolExecutor.create(WORKERS)) {
            executor.submit(() -> 0).get();
            add(results, "executor-submit", SUBMITS / timed(() -> {
                List<CompletableFuture<Integer>> futures = new ArrayList<>(SUBMITS);
                for (int i = 0; i < SUBMITS; i++) {
                    int n = i;
                    futures.add(executor.submit(() -> n));
                }
                for (CompletableFuture<Integer> f : futures) {
                    f.get();
                }
            }));
        }
    }

    static Integer identity(Integer x) {
        return x;
    }

    /** The Python side's {@code burn}: a loop of multiply-adds the JIT cannot fold away. */
    static Integer burn(Integer n) {
        long acc = 0;
        for (int i = 0; i < n; i++) {
            acc = (acc * 31 + i) & 0xFFFFFFFFL;
        }
        return (int) acc;
    }

    interface Run {
        void run() throws Exception;
    }

    /** Seconds of the second of two runs: the first warms up. */
    private static double timed(Run run) throws Exception {
        run.run();
        long t0 = System.nanoTime();
        run.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void add(Map<String, List<Double>> results, String what, double value) {
        results.computeIfAbsent(what, k -> new ArrayList<>()).add(value);
    }

    private static String table(Map<String, List<Double>> python, Map<String, List<Double>> spindle, int rounds,
            Instant began) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Measured %s, %d rounds alternating Python and Spindle; Java %s, %s; "
                + "pools of %d workers; medians.%n%n", began, rounds, Runtime.version(), ProcessBench.pythonVersion(),
                WORKERS));
        md.append("| measurement | Python | Spindle | Spindle vs Python | goal |\n");
        md.append("|---|---:|---:|---:|---|\n");
        row(md, python, spindle, "map-chunk-1", "`map`, chunk size 1 (items/s)", false, "≥ 3×");
        row(md, python, spindle, "map-default", "`map`, default chunks (items/s)", false, "≥ 1×");
        row(md, python, spindle, "apply-async-round-trip", "`applyAsync(f, x).get()` round trip (µs)", true,
                "≤ ½ of Python's time");
        row(md, python, spindle, "cpu-map-speedup", "CPU-bound `map`: speed-up of 2 workers over 1", false,
                "Spindle ≥ 1.8");
        row(md, python, spindle, "executor-submit", "executor `submit` + wait (tasks/s)", false, "reported");
        return md.toString();
    }

    private static void row(StringBuilder md, Map<String, List<Double>> python, Map<String, List<Double>> spindle,
            String key, String label, boolean lowerIsBetter, String goal) {
        double p = ProcessBench.median(python.get(key));
        double s = ProcessBench.median(spindle.get(key));
        double ratio = lowerIsBetter ? p / s : s / p;
        String fmt = key.contains("speedup") ? "%.2f" : key.contains("round-trip") ? "%.1f" : "%,.0f";
        md.append(String.format(Locale.ROOT, "| %s | " + fmt + " | " + fmt + " | %.2f× | %s |%n", label, p, s, ratio,
                goal));
    }
}
