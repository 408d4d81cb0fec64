package dev.spindle.bench;

import dev.spindle.ignite.Cluster;
import dev.spindle.ignite.ClusterCertificates;
import dev.spindle.ignite.ClusterPool;
import dev.spindle.ignite.ClusterSettings;
import dev.spindle.ignite.Failover;
import dev.spindle.ignite.IgniteJvm;
import dev.spindle.process.manager.Manager;
import dev.spindle.process.manager.SharedObjects;
import dev.spindle.process.pool.AsyncResult;
import dev.spindle.process.pool.Pool;
import dev.spindle.process.pool.ProcessPool;
import dev.spindle.process.pool.TaskFailedException;
import org.apache.ignite.Ignition;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A three-node cluster on this machine (each node a JVM of its own on 127.0.0.1, this JVM a
 * client) next to the local {@link ProcessPool} of three workers and a local {@link Manager}, in
 * the same run, rounds alternating:
 * <ul>
 *   <li>tiny tasks: {@value #TINY} {@code applyAsync(() -> 1)}, then wait for all: tasks per second;</li>
 *   <li>a CPU-bound {@code map}: {@value #CPU_ITEMS} items of {@value #CPU_N} square roots: seconds;</li>
 *   <li>shared objects from this JVM: map put+get, queue offer+poll, lock+unlock: operations per second;</li>
 *   <li>a node SIGKILLed under a running task: seconds until the task has run again elsewhere
 *   ({@code RERUN}), and until it fails naming the node ({@code FAIL_FAST}).</li>
 * </ul>
 * Usage: {@code ClusterBench [--rounds N] [--out FILE]}, in a JVM with {@link IgniteJvm#flags()}.
 */
public final class ClusterBench {

    private static final int TINY = 2_000;
    private static final int CPU_ITEMS = 24;
    private static final int CPU_N = 20_000_000;
    private static final int MAP_OPS = 2_000;
    private static final int QUEUE_OPS = 1_000;
    private static final int LOCK_OPS = 500;

    private final List<Process> nodes = new ArrayList<>();
    private final Path dir;
    private final List<String> join = List.of("127.0.0.1:47700", "127.0.0.1:47701", "127.0.0.1:47702",
            "127.0.0.1:47703");

    private ClusterBench(Path dir) {
        this.dir = dir;
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
        Path dir = Files.createTempDirectory("spindle-cluster-bench-");
        ClusterCertificates.init(dir.resolve("ca"), List.of("node-1", "node-2", "node-3", "node-4", "client"));
        ClusterBench bench = new ClusterBench(dir.resolve("ca"));
        Map<String, List<Double>> results = new LinkedHashMap<>();
        Instant began = Instant.now();
        try {
            for (int n = 1; n <= 3; n++) {
                bench.startNode("node-" + n);
            }
            ClusterSettings settings = ClusterSettings.builder(bench.dir).join(bench.join).build();
            try (Cluster cluster = Cluster.connect(settings);
                 ProcessPool local = ProcessPool.create(3);
                 Manager manager = Manager.start()) {
                for (int round = 0; round < rounds; round++) {
                    bench.pools(results, "cluster (3 nodes)", cluster.pool());
                    bench.pools(results, "local ProcessPool (3 workers)", local);
                    objects(results, "cluster", cluster.manager());
                    objects(results, "local Manager", manager);
                    System.err.println("round " + (round + 1) + " done");
                }
                bench.failover(results, cluster);
            }
        } finally {
            bench.close();
        }
        String table = table(results, rounds, began);
        System.out.println(table);
        if (out != null) {
            Files.writeString(out, table, StandardCharsets.UTF_8);
        }
    }

    private void pools(Map<String, List<Double>> results, String name, Pool pool) throws Exception {
        long t = System.nanoTime();
        List<AsyncResult<Integer>> all = new ArrayList<>(TINY);
        for (int i = 0; i < TINY; i++) {
            all.add(pool.applyAsync(() -> 1));
        }
        for (AsyncResult<Integer> r : all) {
            r.get();
        }
        record(results, name + ": tiny tasks, per second", TINY / seconds(t));
        t = System.nanoTime();
        pool.map(ClusterBench::spin, IntStream.range(0, CPU_ITEMS).boxed().toList());
        record(results, name + ": CPU-bound map of " + CPU_ITEMS + ", seconds", seconds(t));
    }

    /** About 50 ms of one core: square roots the JIT cannot fold away. */
    static double spin(int seed) {
        double acc = 0;
        for (int i = 0; i < CPU_N; i++) {
            acc += Math.sqrt(i + seed);
        }
        return acc;
    }

    private static void objects(Map<String, List<Double>> results, String name, SharedObjects objects) throws Exception {
        ConcurrentMap<Integer, Integer> map = objects.dict();
        long t = System.nanoTime();
        for (int i = 0; i < MAP_OPS; i++) {
            map.put(i % 100, i);
            map.get(i % 100);
        }
        record(results, name + ": map put + get, operations per second", 2 * MAP_OPS / seconds(t));
        BlockingQueue<Integer> queue = objects.queue();
        t = System.nanoTime();
        for (int i = 0; i < QUEUE_OPS; i++) {
            queue.offer(i);
            queue.poll();
        }
        record(results, name + ": queue offer + poll, operations per second", 2 * QUEUE_OPS / seconds(t));
        Lock lock = objects.lock();
        t = System.nanoTime();
        for (int i = 0; i < LOCK_OPS; i++) {
            lock.lock();
            lock.unlock();
        }
        record(results, name + ": lock + unlock, operations per second", 2 * LOCK_OPS / seconds(t));
    }

    /** A node SIGKILLed under a running task: how long until the caller has its answer, under each choice. */
    private void failover(Map<String, List<Double>> results, Cluster cluster) throws Exception {
        for (Failover choice : Failover.values()) {
            startNode("node-4");
            ConcurrentMap<String, String> started = cluster.manager().dict();
            ClusterPool pool = cluster.pool().withFailover(choice);
            List<AsyncResult<String>> tasks = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                tasks.add(pool.applyAsync(() -> {
                    String me = Ignition.localIgnite().cluster().localNode().attribute("spindle.identity");
                    if ("node-4".equals(me)) {
                        started.put("victim", me);
                        Thread.sleep(120_000);
                    }
                    return me;
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!started.containsKey("victim") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Process victim = nodes.removeLast();
            long killed = System.nanoTime();
            victim.destroyForcibly().waitFor();
            for (AsyncResult<String> r : tasks) {
                try {
                    r.get(Duration.ofSeconds(120));
                } catch (TaskFailedException expected) {
                    // FAIL_FAST: the task on node-4
                }
            }
            record(results, "node killed under a task, " + choice + ": seconds until its caller has the answer",
                    seconds(killed));
        }
    }

    private void startNode(String identity) throws IOException {
        int index = Integer.parseInt(identity.substring("node-".length())) - 1;
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(IgniteJvm.flags());
        command.addAll(List.of("-Xmx1g", "-cp", System.getProperty("java.class.path"), "dev.spindle.cli.Spindle",
                "cluster", "node", "--config", dir.toString(), "--identity", identity, "--address", join.get(index),
                "--join", String.join(",", join)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        nodes.add(p);
        BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.startsWith("spindle cluster node: ")) {
                Thread.ofPlatform().daemon(true).name("bench-" + identity + "-output").start(() -> {
                    try {
                        while (lines.readLine() != null) {
                            // drain
                        }
                    } catch (IOException ignored) {
                        // ended
                    }
                });
                return;
            }
        }
        throw new IOException(identity + " ended before it joined");
    }

    private void close() throws Exception {
        for (Process p : nodes) {
            p.destroy();
        }
        for (Process p : nodes) {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
        try (Stream<Path> all = Files.walk(dir.getParent())) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void record(Map<String, List<Double>> results, String what, double value) {
        results.computeIfAbsent(what, k -> new ArrayList<>()).add(value);
    }

    private static String table(Map<String, List<Double>> results, int rounds, Instant began) {
        StringBuilder t = new StringBuilder(String.format(Locale.ROOT,
                "Medians of %d rounds (failover: one run each); %s; %d cores.%n%n| measurement | median | runs |%n|---|---:|---|%n",
                rounds, began, Runtime.getRuntime().availableProcessors()));
        for (Map.Entry<String, List<Double>> e : results.entrySet()) {
            List<Double> sorted = e.getValue().stream().sorted().toList();
            double median = sorted.get(sorted.size() / 2);
            t.append(String.format(Locale.ROOT, "| %s | %s | %s |%n", e.getKey(), format(median),
                    String.join(", ", e.getValue().stream().map(ClusterBench::format).toList())));
        }
        return t.toString();
    }

    private static String format(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
