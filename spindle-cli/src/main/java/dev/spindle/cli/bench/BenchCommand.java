package dev.spindle.cli.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code spindle bench}: every server model, and Netty where the benchmark module is built, as
 * echo servers side by side on this machine under {@code spindle load}; one table and one chart.
 * Runs are interleaved (each repetition rotates the order) so that drift hits every server alike.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs every server model (and Netty, where spindle-bench is built) as an echo server under "
                + "the same load on this machine; prints one table and one chart.",
                "Each server runs in a JVM of its own pinned to CPU 0, the load on CPU 1 (where taskset exists).",
                "--quick takes about a minute; the full run about twenty."})
public final class BenchCommand implements Callable<Integer> {

    /** The thread model is not run with more connections than this: a platform thread each does not finish in time. */
    static final int THREADS_AT_MOST = 5_000;

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "About a minute: one run of the first two workloads, 1 s warm-up, 1.5 s measured.")
    boolean quick;

    @Option(names = "--servers", paramLabel = "LIST", split = ",",
            description = "Servers to run (default: every one that can run here): thread, virtual, event-loop, async, "
                    + "process, netty-nio, netty-epoll.")
    List<String> servers;

    @Option(names = "--workloads", paramLabel = "LIST", split = ",",
            description = "Workloads by number (default: all; --quick: 1,2): 1 ping-pong 64 B × 100, 2 × 1000, "
                    + "3 × 10000, 4 64 B 16 in flight × 1000, 5 16 KiB streaming × 100.")
    List<Integer> workloadNumbers;

    @Option(names = "--reps", paramLabel = "N", description = "Interleaved runs of each cell (default: 2; --quick: 1).")
    Integer reps;

    @Option(names = "--warmup", paramLabel = "DURATION", description = "Load before measuring (default: 2s; --quick: 1s).")
    Duration warmup;

    @Option(names = "--duration", paramLabel = "DURATION", description = "Load measured (default: 4s; --quick: 1.5s).")
    Duration duration;

    @Option(names = "--hold", description = "Also hold 19,000 idle connections to each server and report memory per connection.")
    boolean hold;

    @Option(names = "--server-jvm-option", paramLabel = "OPTION",
            description = "A JVM option for every server, e.g. -Djdk.pollerMode=2 (repeatable); the levers of a comparison.")
    List<String> serverJvmOptions = new ArrayList<>();

    @Option(names = "--peers", paramLabel = "JAR", description = "The benchmark module's jar, for Netty (default: found beside this checkout).")
    Path peers;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the table, as Markdown, to FILE.")
    Path out;

    @Option(names = "--svg", paramLabel = "FILE", description = "Also write the chart, as SVG, to FILE.")
    Path svg;

    @Override
    public Integer call() throws Exception {
        if (peers != null && !Files.isRegularFile(peers)) {
            throw new ParameterException(spec.commandLine(), "--peers: " + peers + " is not a file; it is "
                    + "spindle-bench/target/spindle-bench.jar once the benchmark module is built");
        }
        Contenders contenders = Contenders.find(peers);
        List<String> chosen = servers == null ? contenders.available() : servers;
        for (String name : chosen) {
            contenders.whyNot(name).ifPresent(why -> {
                throw new ParameterException(spec.commandLine(), why);
            });
        }
        List<Workload> workloads = workloads();
        int repetitions = reps != null ? reps : quick ? 1 : 2;
        Duration warm = warmup != null ? warmup : Duration.ofSeconds(quick ? 1 : 2);
        Duration measured = duration != null ? duration : quick ? Duration.ofMillis(1500) : Duration.ofSeconds(4);
        if (repetitions < 1 || warm.isNegative() || measured.isZero() || measured.isNegative()) {
            throw new ParameterException(spec.commandLine(), "--reps must be 1 or more, --warmup 0 or more and --duration positive");
        }
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter progress = spec.commandLine().getErr();
        if (!contenders.hasNetty()) {
            progress.println("spindle bench: Netty is not measured: " + contenders.whyNot("netty-epoll").orElseThrow());
        }
        EndToEndRun run = new EndToEndRun(contenders, serverJvmOptions, warm, measured);
        Map<String, List<Sample>> samples = new LinkedHashMap<>();
        for (int rep = 0; rep < repetitions; rep++) {
            for (Workload w : workloads) {
                List<String> order = new ArrayList<>(chosen);
                Collections.rotate(order, rep); // no server always first or last
                for (String server : order) {
                    if (server.equals("thread") && w.connections() > THREADS_AT_MOST) {
                        continue;
                    }
                    Sample s;
                    try {
                        s = run.measure(server, w);
                    } catch (IOException e) {
                        progress.println("run " + (rep + 1) + "  " + w.name() + " " + server + ": " + e.getMessage());
                        s = Sample.failed();
                    }
                    samples.computeIfAbsent(BenchReport.key(w, server), k -> new ArrayList<>()).add(s);
                    progress.printf(Locale.ROOT, "run %d  %-28s %-11s %,10.0f msgs/s  p99 %8.0f µs  cpu %5.1f%%%s%n",
                            rep + 1, w.name(), server, s.messagesPerSecond(), s.p99Micros(), s.serverCpuPercent(),
                            s.clean() ? "" : "  (errors)");
                    progress.flush();
                }
            }
        }
        BenchReport report = new BenchReport(samples, chosen, workloads, repetitions, warm, measured, run.pinned(), serverJvmOptions);
        String table = report.table();
        if (hold) {
            List<Hold> holds = new ArrayList<>();
            for (String server : chosen) {
                if (!server.equals("thread")) { // 19,000 platform threads prove nothing the others do not
                    holds.add(run.hold(server));
                }
            }
            table += BenchReport.holdTable(holds);
        }
        stdout.println(table);
        stdout.println(report.textChart());
        stdout.flush();
        if (out != null) {
            Files.writeString(out, table, StandardCharsets.UTF_8);
        }
        if (svg != null) {
            Files.writeString(svg, report.svgChart(), StandardCharsets.UTF_8);
        }
        boolean allServed = samples.values().stream().flatMap(List::stream).allMatch(s -> s.messagesPerSecond() > 0 && s.clean());
        return allServed ? 0 : 1;
    }

    private List<Workload> workloads() {
        List<Integer> numbers = workloadNumbers != null ? workloadNumbers : quick ? List.of(1, 2) : List.of(1, 2, 3, 4, 5);
        List<Workload> chosen = new ArrayList<>();
        for (int n : numbers) {
            if (n < 1 || n > Workload.ALL.size()) {
                throw new ParameterException(spec.commandLine(), "--workloads: " + n + " is not a workload; they are "
                        + "numbered 1 to " + Workload.ALL.size() + " (see --help)");
            }
            chosen.add(Workload.ALL.get(n - 1));
        }
        return chosen;
    }
}
