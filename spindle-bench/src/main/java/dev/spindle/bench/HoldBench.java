package dev.spindle.bench;

import dev.spindle.net.EchoProtocol;
import dev.spindle.net.Model;
import dev.spindle.net.Protocol;
import dev.spindle.net.StreamServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Holds {@code --connections} (100,000) concurrent connections with the process model on this
 * machine, where one process may open at most 20,000 files: {@code --workers} (6) worker JVMs on
 * one port, each an event loop, and {@code --loaders} (6) load JVMs, each connecting from its own
 * source address in 127.0.0.0/8 (more ephemeral ports than one address has) and pinging every
 * connection every {@code --ping} (5) seconds for {@code --hold} (60) seconds. Reports the memory
 * the connections cost the workers (resident set growth over all of them, per connection), pings
 * and their echoes, and connections lost; tears everything down.
 */
public final class HoldBench {

    private int connections = 100_000;
    private int workers = 6;
    private int loaders = 6;
    private int holdSeconds = 60;
    private int pingSeconds = 5;
    private Path out;

    private HoldBench() {
    }

    public static void main(String[] args) throws Exception {
        HoldBench bench = new HoldBench();
        for (int i = 0; i < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--connections" -> bench.connections = Integer.parseInt(value);
                case "--workers" -> bench.workers = Integer.parseInt(value);
                case "--loaders" -> bench.loaders = Integer.parseInt(value);
                case "--hold" -> bench.holdSeconds = Integer.parseInt(value);
                case "--ping" -> bench.pingSeconds = Integer.parseInt(value);
                case "--out" -> bench.out = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        bench.run();
    }

    private void run() throws Exception {
        try (StreamServer server = StreamServer.builder().name("hold").bind("127.0.0.1", 0).backlog(4096)
                .model(Model.processes(workers, Model.eventLoop(1)))
                .protocol((Supplier<Protocol> & Serializable) EchoProtocol::new).shutdownGrace(Duration.ofSeconds(5))
                .open()) {
            server.start();
            List<ProcessHandle> workerJvms = ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList();
            Thread.sleep(2000);
            long before = rss(workerJvms);
            List<Process> load = new ArrayList<>();
            List<BufferedReader> replies = new ArrayList<>();
            long start = System.nanoTime();
            try {
                for (int i = 0; i < loaders; i++) {
                    int count = connections / loaders + (i < connections % loaders ? 1 : 0);
                    Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                            "-cp", System.getProperty("java.class.path"), HoldLoader.class.getName(), "127.0.0.1",
                            String.valueOf(server.port()), String.valueOf(count), "127.0.0." + (2 + i),
                            String.valueOf(pingSeconds)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                    load.add(p);
                    replies.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
                }
                for (BufferedReader reply : replies) {
                    String line = reply.readLine();
                    if (line == null || !line.startsWith("connected")) {
                        throw new IOException("a loader did not connect: " + line);
                    }
                }
                double connectSeconds = (System.nanoTime() - start) / 1e9;
                Thread.sleep(3000);
                long held = server.stats().active();
                long after = rss(workerJvms);
                System.err.printf(Locale.ROOT, "%,d connections open after %.1f s; holding %d s%n", held,
                        connectSeconds, holdSeconds);
                Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
                long heldAtEnd = server.stats().active();
                long afterHold = rss(workerJvms);
                long pings = 0;
                long pongs = 0;
                long lost = 0;
                for (Process p : load) {
                    PrintWriter stop = new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8);
                    stop.println("stop");
                }
                for (BufferedReader reply : replies) {
                    String line = reply.readLine();
                    String[] f = line == null ? new String[0] : line.split(" ");
                    if (f.length != 7 || !f[0].equals("done")) {
                        throw new IOException("a loader did not finish: " + line);
                    }
                    pings += Long.parseLong(f[2]);
                    pongs += Long.parseLong(f[4]);
                    lost += Long.parseLong(f[6]);
                }
                String table = table(held, heldAtEnd, connectSeconds, before, after, afterHold, pings, pongs, lost);
                System.out.println(table);
                if (out != null) {
                    Files.writeString(out, table);
                }
            } finally {
                for (Process p : load) {
                    p.getOutputStream().close();
                    if (!p.waitFor(30, TimeUnit.SECONDS)) {
                        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                }
            }
        }
    }

    private String table(long held, long heldAtEnd, double connectSeconds, long before, long after, long afterHold,
                         long pings, long pongs, long lost) {
        double perConnection = (afterHold - before) / (double) held;
        return String.format(Locale.ROOT, """
                %,d connections, process model: %d worker JVMs x event-loop(1) on one port; %d load JVMs from \
                127.0.0.2-%d; a ping every %d s for %d s

                | measure | value |
                |---|---:|
                | connections open after connecting (server stats, summed over workers) | %,d |
                | connections open at the end of the hold | %,d |
                | time to open them all | %.1f s |
                | workers' resident memory before / after connecting / at the end | %,.0f / %,.0f / %,.0f MiB |
                | memory per connection over all workers (growth to the end / connections) | %.2f KiB |
                | pings sent / echoes received | %,d / %,d |
                | connections lost | %,d |
                """, connections, workers, loaders, 1 + loaders, pingSeconds, holdSeconds, held, heldAtEnd,
                connectSeconds, before / 1024.0 / 1024, after / 1024.0 / 1024, afterHold / 1024.0 / 1024,
                perConnection / 1024, pings, pongs, lost);
    }

    /** The resident set sizes of {@code jvms}, summed, in bytes, from {@code /proc/PID/status}. */
    private static long rss(List<ProcessHandle> jvms) throws IOException {
        long total = 0;
        for (ProcessHandle jvm : jvms) {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(jvm.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    total += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        }
        return total;
    }
}
