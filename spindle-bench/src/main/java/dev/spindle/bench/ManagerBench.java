package dev.spindle.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spindle.process.Process;
import dev.spindle.process.manager.ManagedMap;
import dev.spindle.process.manager.Manager;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A manager's dict against Python's {@code Manager().dict()} and {@code BaseManager}, in the same
 * run on the same machine ({@code python/mp_manager_bench.py} runs the Python side with the same
 * shape; rounds alternate): a child process sets a key and reads it back, over and over, on 1,000
 * keys; each set and each get is one operation, timed inside the child.
 *
 * <ul>
 *   <li>local: the manager is a process of the run ({@link Manager#start()}); Spindle both with
 *   {@code put} (which returns the old value, a round trip) and with {@link ManagedMap#set}
 *   (Python's {@code d[k] = v}: it returns nothing, so Spindle does not wait for it).</li>
 *   <li>remote: the manager is served on 127.0.0.1 ({@link Manager#serve}, in the benchmark's own
 *   JVM) and the child connects with the address and key, as an unrelated program would.</li>
 * </ul>
 *
 * <p>Options: {@code --rounds N} (3), {@code --ops N} (set + get pairs, 20,000), {@code --out FILE}.
 */
public final class ManagerBench {

    private ManagerBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = 3;
        int ops = 20_000;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--ops" -> ops = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path script = Path.of(System.getProperty("spindle.bench.python", "spindle-bench/python/mp_manager_bench.py"));
        Map<String, List<Double>> python = new LinkedHashMap<>();
        Map<String, List<Double>> spindle = new LinkedHashMap<>();
        Instant began = Instant.now();
        for (int round = 0; round < rounds; round++) {
            for (JsonNode row : ProcessBench.pythonRows(script, "--ops", Integer.toString(ops))) {
                python.computeIfAbsent(row.get("where").asText(), k -> new ArrayList<>()).add(row.get("per_s").asDouble());
            }
            try (Manager manager = Manager.start()) {
                for (boolean pipelined : new boolean[] {false, true}) {
                    ManagedMap<Integer, Integer> d = manager.dict();
                    spindle.computeIfAbsent(pipelined ? "local set" : "local put", k -> new ArrayList<>())
                            .add(inChild(d, ops, pipelined));
                }
            }
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            try (Manager served = Manager.serve(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), key)) {
                String host = served.address().orElseThrow().getAddress().getHostAddress();
                int port = served.address().orElseThrow().getPort();
                for (boolean pipelined : new boolean[] {false, true}) {
                    boolean set = pipelined;
                    int n = ops;
                    try (Process<Double> child = Process.callable(() -> {
                        try (Manager client = Manager.connect(new InetSocketAddress(host, port), key)) {
                            return setGet(client.dict(), n, set);
                        }
                    }).start()) {
                        spindle.computeIfAbsent(pipelined ? "remote set" : "remote put", k -> new ArrayList<>())
                                .add(child.result());
                    }
                }
            }
            System.err.printf("round %d of %d done%n", round + 1, rounds);
        }
        String table = table(python, spindle, rounds, ops, began);
        System.out.print(table);
        if (out != null) {
            Files.writeString(out, table);
        }
    }

    private static double inChild(ManagedMap<Integer, Integer> d, int ops, boolean pipelined) throws Exception {
        try (Process<Double> child = Process.callable(() -> setGet(d, ops, pipelined)).start()) {
            return child.result();
        }
    }

    /** Operations per second of {@code n} set + get pairs on 1,000 keys: the loop Python's side runs. */
    static double setGet(ManagedMap<Integer, Integer> d, int n, boolean pipelined) {
        // A warm-up as long as the run: the JIT has not seen these paths in a fresh child (nor in a fresh
        // manager); Python has no JIT to warm.
        loop(d, n, pipelined);
        long t0 = System.nanoTime();
        loop(d, n, pipelined);
        return 2.0 * n / ((System.nanoTime() - t0) / 1e9);
    }

    private static void loop(ManagedMap<Integer, Integer> d, int n, boolean pipelined) {
        for (int i = 0; i < n; i++) {
            int k = i % 1000;
            if (pipelined) {
                d.set(k, i);
            } else {
                d.put(k, i);
            }
            if (d.get(k) != i) {
                throw new IllegalStateException("read " + d.get(k) + " after setting " + i);
            }
        }
    }

    private static String table(Map<String, List<Double>> python, Map<String, List<Double>> spindle, int rounds,
            int ops, Instant began) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Measured %s, %d rounds alternating Python and Spindle; Java %s, %s. "
                + "A child sets a key and reads it back, %,d times on 1,000 keys; medians, operations per second "
                + "(a set or a get is one).%n%n", began, rounds, Runtime.version(), ProcessBench.pythonVersion(), ops));
        md.append("| manager | Spindle call | Python ops/s | Spindle ops/s | Spindle / Python |\n");
        md.append("|---|---|---:|---:|---:|\n");
        for (String where : List.of("local", "remote")) {
            double p = ProcessBench.median(python.get(where));
            for (String how : List.of("put", "set")) {
                double s = ProcessBench.median(spindle.get(where + " " + how));
                md.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %,.0f | %.2f× |%n",
                        where.equals("local") ? "a process of the run" : "served on 127.0.0.1 (TCP)",
                        how.equals("put") ? "`put` + `get`" : "`set` + `get`", p, s, s / p));
            }
        }
        return md.toString();
    }
}
