package dev.spindle.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spindle.fory.ForySerializer;
import dev.spindle.process.JavaSerializer;
import dev.spindle.process.Process;
import dev.spindle.process.Serializer;
import dev.spindle.process.queue.ProcessJoinableQueue;
import dev.spindle.process.queue.ProcessQueue;
import dev.spindle.process.sync.ProcessLock;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Spindle's queues and locks between processes against Python's {@code multiprocessing}, in the
 * same run on the same machine ({@code python/mp_queue_bench.py} runs the Python side with the same
 * shapes; rounds alternate). Every queue and lock is created in the parent and used by children,
 * as in the seeds.
 *
 * <ul>
 *   <li>Queue items per second, from go to the last consumer's last take: 1 producer to 1
 *   consumer and 4 to 4, for small objects (a record of an int and a short string; Python puts the
 *   tuple {@code (i, "baozi")}), through the default {@link JavaSerializer} and through
 *   {@code spindle-fory}'s {@link ForySerializer}, and for 64-byte arrays.</li>
 *   <li>{@link ProcessJoinableQueue} round trips per second: the parent puts one item, a child
 *   takes it and calls {@code taskDone}, the parent's {@code join} returns.</li>
 *   <li>{@link ProcessLock} acquire + release per second in one child (uncontended) and in two
 *   children at once (contended), and in the process that holds the lock.</li>
 * </ul>
 *
 * <p>Options: {@code --rounds N} (2), {@code --items N} (200,000), {@code --round-trips N} (5,000),
 * {@code --locks N} (Python's count; Spindle's children do a twentieth, its holder the same),
 * {@code --out FILE}.
 */
public final class QueueBench {

    /** The small object: Python puts the tuple {@code (i, "baozi")}. */
    public record Bun(int id, String name) implements Serializable {
    }

    private QueueBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = 2;
        int items = 200_000;
        int roundTrips = 5_000;
        int locks = 200_000;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--items" -> items = Integer.parseInt(args[++i]);
                case "--round-trips" -> roundTrips = Integer.parseInt(args[++i]);
                case "--locks" -> locks = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path script = Path.of(System.getProperty("spindle.bench.python", "spindle-bench/python/mp_queue_bench.py"));
        Map<String, List<Double>> python = new LinkedHashMap<>();
        Map<String, List<Double>> spindle = new LinkedHashMap<>();
        Instant began = Instant.now();
        for (int round = 0; round < rounds; round++) {
            for (JsonNode row : ProcessBench.pythonRows(script, "--items", Integer.toString(items), "--round-trips",
                    Integer.toString(roundTrips), "--locks", Integer.toString(locks))) {
                python.computeIfAbsent(key(row), k -> new ArrayList<>()).add(row.get("per_s").asDouble());
            }
            for (int[] shape : new int[][] {{1, 1}, {4, 4}}) {
                for (String kind : List.of("objects", "objects-fory", "bytes64")) {
                    spindle.computeIfAbsent("queue " + shape[0] + "x" + shape[1] + " " + kind, k -> new ArrayList<>())
                            .add(queueRate(kind, items, shape[0], shape[1]));
                }
            }
            spindle.computeIfAbsent("joinable", k -> new ArrayList<>()).add(joinable(roundTrips));
            for (int children : new int[] {1, 2}) {
                spindle.computeIfAbsent("lock " + children, k -> new ArrayList<>())
                        .add(lockRate(Math.max(1, locks / 20), children));
            }
            spindle.computeIfAbsent("lock holder", k -> new ArrayList<>()).add(holderLockRate(locks));
            System.err.printf("round %d of %d done%n", round + 1, rounds);
        }
        String table = table(python, spindle, rounds, items, roundTrips, locks, began);
        System.out.print(table);
        if (out != null) {
            Files.writeString(out, table);
        }
    }

    private static String key(JsonNode row) {
        return switch (row.get("what").asText()) {
            case "queue" -> "queue " + row.get("shape").asText() + " " + row.get("payload").asText();
            case "lock" -> "lock " + row.get("children").asInt();
            default -> row.get("what").asText();
        };
    }

    /** Items per second through one queue, from go to the last consumer's last take. */
    static double queueRate(String kind, int n, int producers, int consumers) throws Exception {
        Serializer serializer = kind.equals("objects-fory") ? ForySerializer.registering(Bun.class)
                : JavaSerializer.defaults().allow(Bun.class);
        ProcessQueue<Object> queue = new ProcessQueue<>(Integer.MAX_VALUE, serializer);
        ProcessQueue<Integer> go = new ProcessQueue<>();
        ProcessQueue<Integer> done = new ProcessQueue<>();
        int eachProducer = n / producers;
        int eachConsumer = eachProducer * producers / consumers;
        List<Process<Void>> children = new ArrayList<>();
        try {
            for (int c = 0; c < consumers; c++) {
                children.add(Process.target(() -> consume(queue, done, eachConsumer)).allow(Bun.class).start());
            }
            for (int p = 0; p < producers; p++) {
                children.add(Process.target(() -> produce(queue, go, kind, eachProducer)).allow(Bun.class).start());
            }
            // Every child is up and waiting: a put of the first item would otherwise time the starts too.
            for (int p = 0; p < producers; p++) {
                go.put(p);
            }
            long t0 = System.nanoTime();
            for (int c = 0; c < consumers; c++) {
                done.take();
            }
            double rate = eachProducer * producers / ((System.nanoTime() - t0) / 1e9);
            for (Process<Void> child : children) {
                child.join();
            }
            return rate;
        } finally {
            children.forEach(Process::close);
        }
    }

    static void produce(ProcessQueue<Object> queue, ProcessQueue<Integer> go, String kind, int n) throws Exception {
        go.take();
        byte[] bytes = new byte[64];
        for (int i = 0; i < n; i++) {
            queue.put(kind.equals("bytes64") ? bytes : new Bun(i, "baozi"));
        }
    }

    static void consume(ProcessQueue<Object> queue, ProcessQueue<Integer> done, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            queue.take();
        }
        done.put(n);
    }

    /** Put, take + taskDone in a child, join: round trips per second, after an equal warm-up batch. */
    static double joinable(int n) throws Exception {
        ProcessJoinableQueue<Integer> queue = new ProcessJoinableQueue<>();
        try (Process<Void> doer = Process.target(() -> {
            for (int i = 0; i < 2 * n; i++) {
                queue.take();
                queue.taskDone();
            }
        }).start()) {
            double rate = 0;
            for (int batch = 0; batch < 2; batch++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    queue.put(i);
                    queue.join();
                }
                rate = n / ((System.nanoTime() - t0) / 1e9);
            }
            doer.join();
            return rate;
        }
    }

    /** Acquire + release per second, {@code n} in each of {@code children} child processes at once. */
    static double lockRate(int n, int children) throws Exception {
        ProcessLock lock = new ProcessLock();
        ProcessQueue<Integer> go = new ProcessQueue<>();
        ProcessQueue<Integer> done = new ProcessQueue<>();
        List<Process<Void>> lockers = new ArrayList<>();
        try {
            for (int c = 0; c < children; c++) {
                lockers.add(Process.target(() -> {
                    go.take();
                    for (int i = 0; i < n; i++) {
                        lock.lock();
                        lock.unlock();
                    }
                    done.put(n);
                }).start());
            }
            for (int c = 0; c < children; c++) {
                go.put(c);
            }
            long t0 = System.nanoTime();
            for (int c = 0; c < children; c++) {
                done.take();
            }
            double rate = (double) n * children / ((System.nanoTime() - t0) / 1e9);
            for (Process<Void> locker : lockers) {
                locker.join();
            }
            return rate;
        } finally {
            lockers.forEach(Process::close);
        }
    }

    /** Acquire + release per second in the process that holds the lock, after an equal warm-up. */
    static double holderLockRate(int n) {
        ProcessLock lock = new ProcessLock();
        double rate = 0;
        for (int batch = 0; batch < 2; batch++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                lock.lock();
                lock.unlock();
            }
            rate = n / ((System.nanoTime() - t0) / 1e9);
        }
        return rate;
    }

    private static String table(Map<String, List<Double>> python, Map<String, List<Double>> spindle, int rounds,
            int items, int roundTrips, int locks, Instant began) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Measured %s, %d rounds alternating Python and Spindle; Java %s, %s. "
                + "Medians of the rounds.%n%n", began, rounds, Runtime.version(), ProcessBench.pythonVersion()));
        md.append(String.format(Locale.ROOT, "Queues (%,d items from go to the last take; the queue in the parent, "
                + "producers and consumers in child processes):%n%n", items));
        md.append("| shape | payload | Python items/s | Spindle items/s | Spindle ÷ Python |\n|---|---|---:|---:|---:|\n");
        for (String shape : List.of("1x1", "4x4")) {
            for (String kind : List.of("objects", "objects-fory", "bytes64")) {
                double py = ProcessBench.median(python.get("queue " + shape + " " + (kind.equals("objects-fory") ? "objects" : kind)));
                double sp = ProcessBench.median(spindle.get("queue " + shape + " " + kind));
                md.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %,.0f | %.2f× |%n", shape.replace("x", " → "),
                        label(kind), py, sp, sp / py));
            }
        }
        md.append(String.format(Locale.ROOT, "%nJoinableQueue: put, take + taskDone in a child, join (%,d round "
                + "trips after an equal warm-up):%n%n", roundTrips));
        md.append("| | Python /s | Spindle /s | Spindle ÷ Python |\n|---|---:|---:|---:|\n");
        double pj = ProcessBench.median(python.get("joinable"));
        double sj = ProcessBench.median(spindle.get("joinable"));
        md.append(String.format(Locale.ROOT, "| round trip | %,.0f | %,.0f | %.2f× |%n", pj, sj, sj / pj));
        md.append(String.format(Locale.ROOT, "%nLock acquire + release (Python: %,d per child; Spindle: %,d per child, "
                + "%,d in the holder):%n%n", locks, Math.max(1, locks / 20), locks));
        md.append("| where | Python /s | Spindle /s | Spindle ÷ Python |\n|---|---:|---:|---:|\n");
        double p1 = ProcessBench.median(python.get("lock 1"));
        double p2 = ProcessBench.median(python.get("lock 2"));
        double s1 = ProcessBench.median(spindle.get("lock 1"));
        double s2 = ProcessBench.median(spindle.get("lock 2"));
        double sh = ProcessBench.median(spindle.get("lock holder"));
        md.append(String.format(Locale.ROOT, "| one child, uncontended | %,.0f | %,.0f | %.3f× |%n", p1, s1, s1 / p1));
        md.append(String.format(Locale.ROOT, "| two children, contended | %,.0f | %,.0f | %.3f× |%n", p2, s2, s2 / p2));
        md.append(String.format(Locale.ROOT, "| the holder itself | %,.0f | %,.0f | %.2f× |%n", p1, sh, sh / p1));
        return md.toString();
    }

    private static String label(String kind) {
        return switch (kind) {
            case "objects" -> "small object (int, string)";
            case "objects-fory" -> "small object, ForySerializer";
            default -> "64 B byte array";
        };
    }
}
