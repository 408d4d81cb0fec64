package dev.spindle.cli;

import dev.spindle.net.EventLoopGroup;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code spindle load}: the seeds' many-clients client, grown up. N connections on a few event
 * loops, each with D messages in flight, every echoed byte checked, latency in an HdrHistogram.
 */
@Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Drives an echo or upper-case server with many connections and reports throughput and latency.",
                "Every byte that comes back is checked; a mismatch or a lost connection makes the exit code 1."})
final class LoadCommand implements Callable<Integer> {

    /** Past this many connections to a loopback server, spread them over 127.0.0.x source addresses. */
    private static final int SPREAD_ABOVE = 5_000;
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(5);
    /** The JDK's bound for an array, which LoadProtocol's first write of --size × --depth bytes is. */
    private static final long MAX_FIRST_WRITE = Integer.MAX_VALUE - 8;

    enum Mode { echo, upper }

    @Spec
    CommandSpec spec;

    @Mixin
    AddressOptions where = new AddressOptions();

    @Option(names = "--connections", paramLabel = "N", converter = WholeNumberConverter.Positive.class,
            description = "Connections (default: ${DEFAULT-VALUE}).",
            defaultValue = "100")
    int connections;

    @Option(names = "--size", paramLabel = "BYTES", converter = WholeNumberConverter.Positive.class,
            description = "Bytes per message (default: ${DEFAULT-VALUE}).",
            defaultValue = "64")
    int size;

    @Option(names = "--depth", paramLabel = "D", converter = WholeNumberConverter.Positive.class,
            description = "Messages in flight per connection; 1 is ping-pong (default: ${DEFAULT-VALUE}).",
            defaultValue = "1")
    int depth;

    @Option(names = "--duration", paramLabel = "DURATION", description = "Measured time (default: ${DEFAULT-VALUE}).",
            defaultValue = "10s")
    Duration duration;

    @Option(names = "--warmup", paramLabel = "DURATION",
            description = "Unmeasured time first, for the JIT (default: ${DEFAULT-VALUE}).", defaultValue = "2s")
    Duration warmup;

    @Option(names = "--mode", description = "What the server does: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            defaultValue = "echo")
    Mode mode;

    @Option(names = "--loops", paramLabel = "N", converter = WholeNumberConverter.Positive.class,
            description = "Client event loops (default: one per core).")
    Integer loops;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the results as JSON.")
    Path json;

    @Option(names = "--html", paramLabel = "FILE", description = "Write a report with a latency plot.")
    Path html;

    @Override
    public Integer call() throws Exception {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        SocketAddress target = resolve(where.address());
        boolean spread = connections > SPREAD_ABOVE && target instanceof InetSocketAddress inet
                && inet.getAddress().isLoopbackAddress() && inet.getAddress() instanceof java.net.Inet4Address;
        LoadRun run = new LoadRun(size, depth, mode == Mode.upper);
        List<LoadProtocol> protocols = new ArrayList<>(connections);
        int loopCount = loops != null ? loops : Runtime.getRuntime().availableProcessors();
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        try (EventLoopGroup group = EventLoopGroup.open(loopCount, "spindle-load")) {
            group.option(StandardSocketOptions.TCP_NODELAY, true);
            List<dev.spindle.net.Transport> transports = new ArrayList<>(connections);
            for (int i = 0; i < connections; i++) {
                LoadProtocol protocol = new LoadProtocol(i, run);
                protocols.add(protocol);
                InetSocketAddress from = spread ? new InetSocketAddress("127.0.0." + (1 + i % 250), 0) : null;
                transports.add(group.connect(target, from, protocol));
            }
            for (int i = 0; i < connections; i++) {
                protocols.get(i).start(transports.get(i));
            }
            Progress progress = new Progress(System.console() != null, spec.commandLine().getErr());
            progress.runFor(warmup, "warm-up", run);
            run.latencies.reset();
            long cpuBefore = cpuTime(cpu, group);
            long[] before = perConnection(protocols);
            run.phase(LoadRun.Phase.MEASURE);
            long start = System.nanoTime();
            progress.runFor(duration, "measure", run);
            run.phase(LoadRun.Phase.DRAIN);
            double seconds = (System.nanoTime() - start) / 1e9;
            Histogram latencies = run.latencies.getIntervalHistogram();
            long cpuUsed = cpuTime(cpu, group) - cpuBefore;
            long[] after = perConnection(protocols);
            awaitDrained(run);
            long messages = run.messages.sum();
            long min = Long.MAX_VALUE;
            long max = 0;
            for (int i = 0; i < after.length; i++) {
                long n = after[i] - before[i];
                min = Math.min(min, n);
                max = Math.max(max, n);
            }
            LoadReport report = new LoadReport(describe(target), connections, size, depth, mode.name(), seconds,
                    messages, latencies, run.mismatches.sum(), run.failedConnections.sum(), min, max,
                    messages == 0 ? 0 : cpuUsed / 1_000.0 / messages, run.firstProblem.get());
            out.println(report.summary());
            if (report.problem() != null) {
                out.println("  first problem: " + report.problem());
            }
            if (json != null) {
                report.writeJson(json);
            }
            if (html != null) {
                report.writeHtml(html);
            }
            out.flush();
            return report.clean() && messages > 0 ? 0 : 1;
        }
    }

    /** What the options' converters cannot check alone: ranges on the options together, and a zero duration. */
    private void validate() {
        if ((long) size * depth > MAX_FIRST_WRITE) {
            throw new ParameterException(spec.commandLine(), "--size × --depth is what each connection sends first, in"
                    + " one buffer, and must be at most " + MAX_FIRST_WRITE + " bytes; got " + size + " × " + depth);
        }
        if (duration.isZero()) {
            throw new ParameterException(spec.commandLine(), "--duration must be more than zero, got " + duration);
        }
    }

    private static SocketAddress resolve(SocketAddress address) throws java.net.UnknownHostException {
        if (address instanceof InetSocketAddress inet && inet.isUnresolved()) {
            return new InetSocketAddress(InetAddress.getByName(inet.getHostString()), inet.getPort());
        }
        return address;
    }

    private static String describe(SocketAddress address) {
        return address instanceof InetSocketAddress inet
                ? inet.getAddress().getHostAddress() + ":" + inet.getPort() : address.toString();
    }

    /** CPU time of the load loops' threads: the client's own cost, not the server's on the same machine. */
    private static long cpuTime(ThreadMXBean cpu, EventLoopGroup group) {
        long total = 0;
        for (Thread t : group.threads()) {
            long ns = cpu.getThreadCpuTime(t.threadId());
            total += Math.max(0, ns);
        }
        return total;
    }

    private static long[] perConnection(List<LoadProtocol> protocols) {
        long[] counts = new long[protocols.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = protocols.get(i).completed();
        }
        return counts;
    }

    /** Waits, bounded, for the replies to messages already sent, so that closing loses nothing in flight. */
    private static void awaitDrained(LoadRun run) throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
        while (run.inFlight.sum() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    /** A progress bar on a terminal; nothing otherwise. Sleeps in steps so the phase ends on time. */
    private record Progress(boolean terminal, PrintWriter err) {
        void runFor(Duration length, String label, LoadRun run) throws InterruptedException {
            long start = System.nanoTime();
            long end = start + length.toNanos();
            long lastMessages = run.allMessages.sum();
            long lastTime = start;
            while (true) {
                long now = System.nanoTime();
                if (now >= end) {
                    break;
                }
                Thread.sleep(Math.min(250, TimeUnit.NANOSECONDS.toMillis(end - now) + 1));
                if (terminal) {
                    long t = System.nanoTime();
                    long m = run.allMessages.sum();
                    double rate = (m - lastMessages) / ((t - lastTime) / 1e9);
                    lastMessages = m;
                    lastTime = t;
                    int filled = (int) Math.min(30, 30 * (t - start) / Math.max(1, length.toNanos()));
                    err.printf(Locale.ROOT, "\r%-8s [%-30s] %5.1f s  %,12.0f msgs/s", label, "#".repeat(filled),
                            (t - start) / 1e9, rate);
                    err.flush();
                }
            }
            if (terminal) {
                err.print("\r" + " ".repeat(70) + "\r");
                err.flush();
            }
        }
    }
}
