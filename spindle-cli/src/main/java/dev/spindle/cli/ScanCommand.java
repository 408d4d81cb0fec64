package dev.spindle.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code spindle scan}: the seeds' thread-pool port scanner (seed 001), on virtual threads with a
 * concurrency limit. Each port is a TCP connect with a timeout: accepted is open, refused is
 * closed, no answer in time is filtered.
 */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = {"Scans TCP ports of HOST: open (accepted), closed (refused), filtered (no answer in time).",
                "Open ports are printed as they are found; a summary follows."})
final class ScanCommand implements Callable<Integer> {

    /** Descriptors kept free for the JVM itself (its jars, its sockets) beyond the scan's connections. */
    private static final int RESERVED_FILES = 64;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "HOST", description = "The host to scan (a name or an address).")
    String host;

    @Option(names = "--ports", paramLabel = "LIST", defaultValue = "1-10000",
            description = "Ports: ranges and single ports, e.g. 1-1024,8080 (default: ${DEFAULT-VALUE}).")
    String ports;

    @Option(names = "--concurrency", paramLabel = "N", converter = WholeNumberConverter.Positive.class,
            defaultValue = "60", description = "Connects in flight at once (default: ${DEFAULT-VALUE}, the seed's pool).")
    int concurrency;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "100ms",
            description = "How long a connect may take before the port counts as filtered (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--json", description = "Print one JSON object at the end instead of lines.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        BitSet wanted = parsePorts(ports);
        long limit = openFileLimit();
        if (limit > 0 && concurrency > limit - RESERVED_FILES) {
            throw new ParameterException(spec.commandLine(), "--concurrency " + concurrency + " is more connects than "
                    + "this process may hold open (its open-file limit is " + limit + "; keep it below "
                    + (limit - RESERVED_FILES) + ", or raise the limit with ulimit -n)");
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new ParameterException(spec.commandLine(), "--timeout must be positive, got " + timeout);
        }
        InetAddress address = InetAddress.getByName(host);
        int total = wanted.cardinality();
        ConcurrentSkipListSet<Integer> open = new ConcurrentSkipListSet<>();
        AtomicInteger closed = new AtomicInteger();
        AtomicInteger filtered = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        Semaphore slots = new Semaphore(concurrency);
        boolean progress = !json && System.console() != null;
        long start = System.nanoTime();
        try (ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("scan-", 0).factory())) {
            for (int port = wanted.nextSetBit(0); port >= 0; port = wanted.nextSetBit(port + 1)) {
                slots.acquire();
                int p = port;
                threads.submit(() -> {
                    try {
                        switch (probe(address, p)) {
                            case OPEN -> {
                                open.add(p);
                                if (!json) {
                                    out.println((progress ? "\r" : "") + "open " + p);
                                    out.flush();
                                }
                            }
                            case CLOSED -> closed.incrementAndGet();
                            case FILTERED -> filtered.incrementAndGet();
                        }
                    } finally {
                        slots.release();
                        int n = done.incrementAndGet();
                        if (progress && (n % 100 == 0 || n == total)) {
                            spec.commandLine().getErr().printf("\r[%-30s] %3d%% %d/%d", "#".repeat(30 * n / total),
                                    100 * n / total, n, total);
                            spec.commandLine().getErr().flush();
                        }
                    }
                });
            }
        }
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        if (progress) {
            spec.commandLine().getErr().println();
        }
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode result = mapper.createObjectNode().put("host", host).put("address", address.getHostAddress());
            result.putPOJO("open", List.copyOf(open));
            result.put("closed", closed.get()).put("filtered", filtered.get()).put("scanned", total)
                    .put("elapsedMillis", elapsedMillis);
            out.println(mapper.writeValueAsString(result));
        } else {
            out.printf("%s (%s): %d open, %d closed, %d filtered of %d ports in %.2f s%n", host,
                    address.getHostAddress(), open.size(), closed.get(), filtered.get(), total, elapsedMillis / 1000.0);
        }
        out.flush();
        return 0;
    }

    private enum Outcome { OPEN, CLOSED, FILTERED }

    private Outcome probe(InetAddress address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), (int) Math.max(1, timeout.toMillis()));
            return Outcome.OPEN;
        } catch (ConnectException refused) {
            return Outcome.CLOSED;
        } catch (SocketTimeoutException silent) {
            return Outcome.FILTERED;
        } catch (IOException other) {
            return Outcome.FILTERED; // unreachable, or dropped on the way: no answer either way
        }
    }

    /**
     * The ports of a list such as {@code 1-1024,8080}.
     *
     * @throws ParameterException naming the part that is not a port or a range of ports in 1–65535
     */
    private BitSet parsePorts(String list) {
        BitSet set = new BitSet(65536);
        for (String part : list.split(",")) {
            String p = part.trim();
            try {
                int dash = p.indexOf('-');
                int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).trim());
                int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1).trim());
                if (from < 1 || to > 65535 || from > to) {
                    throw new ParameterException(spec.commandLine(), "--ports: '" + p + "' is outside 1-65535 "
                            + "(or ends before it starts); ports are 1 to 65535");
                }
                set.set(from, to + 1);
            } catch (NumberFormatException e) {
                throw new ParameterException(spec.commandLine(), "--ports: '" + p + "' is not a port or a range "
                        + "such as 1-1024");
            }
        }
        return set;
    }

    /** This process's open-file limit, or -1 when the platform does not say. */
    private static long openFileLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return -1;
    }
}
