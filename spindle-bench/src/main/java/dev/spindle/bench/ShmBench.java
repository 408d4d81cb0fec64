package dev.spindle.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spindle.process.Process;
import dev.spindle.process.queue.ProcessQueue;
import dev.spindle.process.shm.SharedArray;
import dev.spindle.process.shm.SharedValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Shared memory against Python's {@code Value}, {@code Array} and {@code shared_memory}, and
 * against {@code memcpy}, in the same run on the same machine ({@code python/shm_bench.py} runs
 * the Python side, {@code c/memcpy_bench.c} the C baseline when a C compiler is there; rounds
 * alternate).
 *
 * <ul>
 *   <li>A counter incremented by two child processes at once: {@link SharedValue.OfLong#incrementAndGet}
 *   (no lock) against Python's {@code with v.get_lock(): v.value += 1}; increments per second,
 *   both processes together, from go to the last one done.</li>
 *   <li>1 MiB written into a {@link SharedArray.OfByte} and read back, over and over, against
 *   Python's {@code shared_memory} and {@code Array}, and C's {@code memcpy} between two buffers;
 *   MiB per second, both copies counted.</li>
 * </ul>
 *
 * <p>Options: {@code --rounds N} (3), {@code --increments N} (Python's count per process, 500,000;
 * Spindle's processes do 20 times as many, so that the run is long enough to time),
 * {@code --copies N} (2,000 round trips of 1 MiB), {@code --memcpy FILE} (the compiled C
 * baseline), {@code --out FILE}.
 */
public final class ShmBench {

    private static final int SIZE = 1 << 20;

    private ShmBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = 3;
        int increments = 500_000;
        int copies = 2_000;
        Path memcpy = null;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--increments" -> increments = Integer.parseInt(args[++i]);
                case "--copies" -> copies = Integer.parseInt(args[++i]);
                case "--memcpy" -> memcpy = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path script = Path.of(System.getProperty("spindle.bench.python", "spindle-bench/python/shm_bench.py"));
        Map<String, List<Double>> rows = new LinkedHashMap<>();
        Instant began = Instant.now();
        for (int round = 0; round < rounds; round++) {
            for (JsonNode row : ProcessBench.pythonRows(script, "--increments", Integer.toString(increments),
                    "--rounds", Integer.toString(copies))) {
                add(rows, row);
            }
            if (memcpy != null && Files.isExecutable(memcpy)) {
                for (JsonNode row : ProcessBench.jsonRows(List.of(memcpy.toString(), Integer.toString(SIZE),
                        Integer.toString(copies)))) {
                    add(rows, row);
                }
            }
            rows.computeIfAbsent("counter spindle", k -> new ArrayList<>()).add(counterRate(increments * 20));
            rows.computeIfAbsent("bulk spindle SharedArray", k -> new ArrayList<>()).add(bulkRate(copies));
            rows.computeIfAbsent("bulk java arraycopy", k -> new ArrayList<>()).add(arraycopyRate(copies));
            System.err.printf("round %d of %d done%n", round + 1, rounds);
        }
        String table = table(rows, rounds, increments, began);
        System.out.print(table);
        if (out != null) {
            Files.writeString(out, table);
        }
    }

    private static void add(Map<String, List<Double>> rows, JsonNode row) {
        String what = row.get("what").asText();
        double value = what.equals("counter") ? row.get("per_s").asDouble() : row.get("mib_per_s").asDouble();
        rows.computeIfAbsent(what + " " + row.get("name").asText(), k -> new ArrayList<>()).add(value);
    }

    /** Increments per second of two children at once, from go to the last one done. */
    static double counterRate(int each) throws Exception {
        SharedValue.OfLong counter = SharedValue.ofLong(0);
        ProcessQueue<Integer> go = new ProcessQueue<>();
        ProcessQueue<Integer> ready = new ProcessQueue<>();
        List<Process<Void>> children = new ArrayList<>();
        try {
            for (int c = 0; c < 2; c++) {
                children.add(Process.target(() -> {
                    // Warm the path, then wait for go: the start of a JVM is not what is timed.
                    SharedValue.OfLong warm = SharedValue.ofLong(0);
                    for (int i = 0; i < 200_000; i++) {
                        warm.incrementAndGet();
                    }
                    ready.put(1);
                    go.take();
                    for (int i = 0; i < each; i++) {
                        counter.incrementAndGet();
                    }
                }).start());
            }
            ready.take();
            ready.take();
            long t0 = System.nanoTime();
            go.put(1);
            go.put(1);
            for (Process<Void> child : children) {
                child.join();
            }
            double rate = 2.0 * each / ((System.nanoTime() - t0) / 1e9);
            if (counter.get() != 2L * each) {
                throw new IllegalStateException("the counter is " + counter.get() + ", not " + 2L * each);
            }
            return rate;
        } finally {
            children.forEach(Process::close);
            counter.close();
        }
    }

    /** MiB per second of 1 MiB written into a shared byte array and read back. */
    static double bulkRate(int copies) {
        SharedArray.OfByte shared = SharedArray.ofBytes(SIZE, false);
        byte[] data = new byte[SIZE];
        byte[] back = new byte[SIZE];
        for (int i = 0; i < SIZE; i++) {
            data[i] = (byte) i;
        }
        for (int r = 0; r < copies / 10; r++) {
            shared.write(0, data, 0, SIZE);
            shared.read(0, back, 0, SIZE);
        }
        long t0 = System.nanoTime();
        for (int r = 0; r < copies; r++) {
            data[r % SIZE] = (byte) r;
            shared.write(0, data, 0, SIZE);
            shared.read(0, back, 0, SIZE);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (back[(copies - 1) % SIZE] != (byte) (copies - 1)) {
            throw new IllegalStateException("read back something other than what was written");
        }
        shared.close();
        return 2.0 * copies / seconds;
    }

    /** The same copies between two heap arrays: the JVM's own memcpy. */
    static double arraycopyRate(int copies) {
        byte[] data = new byte[SIZE];
        byte[] middle = new byte[SIZE];
        byte[] back = new byte[SIZE];
        for (int r = 0; r < copies / 10; r++) {
            System.arraycopy(data, 0, middle, 0, SIZE);
            System.arraycopy(middle, 0, back, 0, SIZE);
        }
        long t0 = System.nanoTime();
        for (int r = 0; r < copies; r++) {
            data[r % SIZE] = (byte) r;
            System.arraycopy(data, 0, middle, 0, SIZE);
            System.arraycopy(middle, 0, back, 0, SIZE);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (back[(copies - 1) % SIZE] != (byte) (copies - 1)) {
            throw new IllegalStateException("copied something other than what was written");
        }
        return 2.0 * copies / seconds;
    }

    private static String table(Map<String, List<Double>> rows, int rounds, int increments, Instant began) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Measured %s, %d rounds alternating Python and Spindle; Java %s, %s. "
                + "Medians of the rounds.%n%n", began, rounds, Runtime.version(), ProcessBench.pythonVersion()));
        double python = ProcessBench.median(rows.get("counter python"));
        double spindle = ProcessBench.median(rows.get("counter spindle"));
        md.append(String.format(Locale.ROOT, "A counter incremented by two child processes at once (Python: %,d "
                + "each under `get_lock()`; Spindle: %,d each, `incrementAndGet`, no lock):%n%n", increments,
                increments * 20));
        md.append("| | Python increments/s | Spindle increments/s | Spindle ÷ Python |\n|---|---:|---:|---:|\n");
        md.append(String.format(Locale.ROOT, "| counter | %,.0f | %,.0f | %.1f× |%n%n", python, spindle,
                spindle / python));
        md.append("1 MiB written into shared memory and read back (MiB/s, both copies counted):\n\n");
        List<Double> c = rows.get("bulk c memcpy");
        double base = c != null ? ProcessBench.median(c) : ProcessBench.median(rows.get("bulk java arraycopy"));
        String baseName = c != null ? "C `memcpy`" : "Java `System.arraycopy`";
        md.append("| copy | MiB/s | ÷ " + baseName + " |\n|---|---:|---:|\n");
        for (String name : List.of("c memcpy", "java arraycopy", "spindle SharedArray", "python shared_memory",
                "python Array")) {
            List<Double> values = rows.get("bulk " + name);
            if (values != null) {
                double v = ProcessBench.median(values);
                md.append(String.format(Locale.ROOT, "| %s | %,.0f | %.2f |%n", label(name), v, v / base));
            }
        }
        return md.toString();
    }

    private static String label(String name) {
        return switch (name) {
            case "c memcpy" -> "C `memcpy`, heap to heap (the baseline)";
            case "java arraycopy" -> "Java `System.arraycopy`, heap to heap";
            case "spindle SharedArray" -> "Spindle `SharedArray.OfByte` `write` + `read`";
            case "python shared_memory" -> "Python `shared_memory` (`buf[:] = data`, `bytes(buf)`)";
            default -> "Python `Array('b', n, lock=False)` (slices)";
        };
    }
}
