package dev.spindle.cli.demo;

import dev.spindle.cli.DurationConverter;
import dev.spindle.cli.WholeNumberConverter;
import dev.spindle.net.EchoProtocol;
import dev.spindle.net.Model;
import dev.spindle.net.StreamServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Seed 004's five I/O models side by side, each an echo server on 127.0.0.1 in this process:
 * blocking (a thread per connection), non-blocking polling (the seed's {@code setblocking(False)}
 * loop, written here and offered nowhere else), multiplexing (an event loop on one selector),
 * signal-driven (which the JVM does not have; the row says why) and asynchronous (NIO.2).
 *
 * <p>For each: the process's CPU while the clients are connected but silent, then messages per
 * second and the server's CPU under a short ping-pong load. CPU is in percent of one core; under
 * load, the client threads' own CPU is taken out, so what is left is the server's (and the JVM's).
 */
@Command(name = "io-models", mixinStandardHelpOptions = true,
        description = {"Seed 004's I/O models side by side: msgs/s under a short local load, CPU idle and under load.",
                "The polling row shows a core burnt while nothing happens."})
final class IoModelsDemo implements Callable<Integer> {

    private static final int MESSAGE_BYTES = 64;

    @Spec
    CommandSpec spec;

    @Option(names = "--connections", paramLabel = "N", converter = WholeNumberConverter.Positive.class,
            defaultValue = "8", description = "Client connections, each a ping-pong thread (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "2s",
            description = "Load measured per model, after a short warm-up (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--idle", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "1s",
            description = "How long CPU is measured with the clients connected and silent (default: ${DEFAULT-VALUE}).")
    Duration idle;

    /** One model's line in the table; a model the JVM cannot run has no numbers and says why. */
    private record Row(String model, String how, double messagesPerSecond, double idleCpu, double loadCpu, String why) {
        boolean measured() {
            return why == null;
        }

        double messagesPerCpuSecond() {
            return loadCpu <= 0 ? 0 : messagesPerSecond / (loadCpu / 100);
        }
    }

    /** An echo server under test, listening on 127.0.0.1. */
    private interface EchoServer extends AutoCloseable {
        int port();

        @Override
        void close() throws IOException;
    }

    @Override
    public Integer call() throws Exception {
        if (duration.isZero() || duration.isNegative() || idle.isZero() || idle.isNegative()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--duration and --idle must be positive");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%d connections, %d-byte ping-pong for %s per model; CPU in %% of one core%n%n",
                connections, MESSAGE_BYTES, duration);
        out.printf(Locale.ROOT, "%-22s %-44s %10s %9s %10s%n", "model", "how", "msgs/s", "CPU idle", "CPU load");
        out.flush();
        List<Row> rows = new ArrayList<>();
        rows.add(print(out, measure("blocking", "a thread per connection (THREAD)", spindle(Model.THREAD))));
        rows.add(print(out, measure("non-blocking polling", "one thread asks every socket, nonstop", new PollingEcho())));
        rows.add(print(out, measure("multiplexing", "one selector, epoll (eventLoop(1))", spindle(Model.eventLoop(1)))));
        rows.add(print(out, new Row("signal-driven", "SIGIO: not on the JVM", 0, 0, 0, "SIGIO needs fcntl(F_SETOWN, O_ASYNC) and a process-wide "
                + "signal handler;\nthe JDK exposes neither. A signal only says that something is ready, so the\n"
                + "handler ends up asking each socket as a selector does; epoll replaced it.")));
        rows.add(print(out, measure("asynchronous", "completion handlers (ASYNC)",
                spindle(Model.ASYNC))));
        out.println();
        out.println("On Linux the JDK's asynchronous channels run on epoll and a thread pool: the kernel completes no");
        out.println("socket operation for them, as Python's asyncio is an event loop too.");
        out.println();
        out.println(conclusion(rows));
        out.flush();
        return 0;
    }

    private static EchoServer spindle(Model model) throws IOException {
        StreamServer server = StreamServer.builder().name("io-models").bind("127.0.0.1", 0).model(model)
                .protocol(EchoProtocol::new).onError((peer, e) -> { }).open();
        server.start();
        return new EchoServer() {
            @Override
            public int port() {
                return server.port();
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }

    private Row measure(String model, String how, EchoServer server) throws IOException, InterruptedException {
        try (server) {
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", server.port());
            List<SocketChannel> clients = new ArrayList<>();
            try {
                for (int i = 0; i < connections; i++) {
                    clients.add(SocketChannel.open(target));
                }
                Thread.sleep(100); // let the accepts settle before the idle window
                long idleStart = System.nanoTime();
                long idleCpuStart = processCpuNanos();
                Thread.sleep(idle.toMillis());
                double idleCpu = percentOfCore(processCpuNanos() - idleCpuStart, System.nanoTime() - idleStart);
                return load(model, how, clients, idleCpu);
            } finally {
                for (SocketChannel c : clients) {
                    c.close();
                }
            }
        }
    }

    /**
     * Each client on a platform thread of its own sends 64 bytes and reads them back until the end;
     * what each counts and burns from the start of the measured window on is added up.
     */
    private Row load(String model, String how, List<SocketChannel> clients, double idleCpu) throws InterruptedException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long warmup = Math.min(500, Math.max(100, duration.toMillis() / 4));
        long measureFrom = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(warmup);
        long end = measureFrom + duration.toNanos();
        AtomicLong messages = new AtomicLong();
        AtomicLong clientCpu = new AtomicLong();
        List<Thread> running = new ArrayList<>();
        for (int i = 0; i < clients.size(); i++) {
            SocketChannel channel = clients.get(i);
            running.add(Thread.ofPlatform().name("io-models-client-" + i).start(() -> {
                ByteBuffer ping = ByteBuffer.allocate(MESSAGE_BYTES);
                ByteBuffer pong = ByteBuffer.allocate(MESSAGE_BYTES);
                long counted = 0;
                long cpuFrom = -1;
                try {
                    for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
                        if (cpuFrom < 0 && now >= measureFrom) {
                            cpuFrom = threads.getCurrentThreadCpuTime();
                        }
                        ping.clear();
                        while (ping.hasRemaining()) {
                            channel.write(ping);
                        }
                        pong.clear();
                        while (pong.hasRemaining()) {
                            if (channel.read(pong) < 0) {
                                return;
                            }
                        }
                        if (cpuFrom >= 0) {
                            counted++;
                        }
                    }
                } catch (IOException e) {
                    // the server went away: count what was answered
                } finally {
                    messages.addAndGet(counted);
                    if (cpuFrom >= 0) {
                        clientCpu.addAndGet(threads.getCurrentThreadCpuTime() - cpuFrom);
                    }
                }
            }));
        }
        TimeUnit.NANOSECONDS.sleep(measureFrom - System.nanoTime());
        long cpuStart = processCpuNanos();
        long wallStart = System.nanoTime();
        TimeUnit.NANOSECONDS.sleep(end - System.nanoTime());
        long cpu = processCpuNanos() - cpuStart;
        long wall = System.nanoTime() - wallStart;
        for (Thread t : running) {
            t.join();
        }
        double seconds = wall / 1e9;
        return new Row(model, how, messages.get() / seconds, idleCpu,
                Math.max(0, percentOfCore(cpu - clientCpu.get(), wall)), null);
    }

    private static Row print(PrintWriter out, Row row) {
        if (row.measured()) {
            out.printf(Locale.ROOT, "%-22s %-44s %,10.0f %8.0f%% %9.0f%%%n", row.model(), row.how(),
                    row.messagesPerSecond(), row.idleCpu(), row.loadCpu());
        } else {
            out.printf(Locale.ROOT, "%-22s %-44s %10s %9s %10s%n", row.model(), row.how(), "-", "-", "-");
            row.why().lines().forEach(line -> out.println(" ".repeat(23) + line));
        }
        out.flush();
        return row;
    }

    private static String conclusion(List<Row> rows) {
        Row polling = rows.stream().filter(r -> r.model().startsWith("non-blocking")).findFirst().orElseThrow();
        List<Row> waiting = rows.stream().filter(r -> r.measured() && r != polling).toList();
        double othersIdle = waiting.stream().mapToDouble(Row::idleCpu).max().orElse(0);
        Row thrifty = waiting.stream().max((a, b) -> Double.compare(a.messagesPerCpuSecond(), b.messagesPerCpuSecond()))
                .orElseThrow();
        return String.format(Locale.ROOT, "Polling burnt %.0f%% of a core while nothing happened, where the models that "
                        + "let the kernel wait used at most %.0f%%; of those, %s served the most messages per CPU-second "
                        + "(%,.0f).", polling.idleCpu(), othersIdle, thrifty.model(), thrifty.messagesPerCpuSecond());
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double percentOfCore(long cpuNanos, long wallNanos) {
        return wallNanos <= 0 ? 0 : 100.0 * cpuNanos / wallNanos;
    }

    /**
     * The seed's non-blocking server: one thread that tries {@code accept} and then a read on every
     * connection, over and over, never waiting. It is right and it is fast to answer, and it burns
     * its core whether or not anything happens: the point of the demo, not a model to use.
     */
    private static final class PollingEcho implements EchoServer {
        private final ServerSocketChannel listener;
        private final Thread loop;
        private volatile boolean running = true;

        PollingEcho() throws IOException {
            listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            listener.configureBlocking(false); // server.setblocking(False)
            loop = Thread.ofPlatform().name("io-models-polling").start(this::poll);
        }

        private void poll() {
            List<SocketChannel> connections = new ArrayList<>();
            ByteBuffer buffer = ByteBuffer.allocate(1024);
            try {
                while (running) {
                    SocketChannel accepted = listener.accept(); // null at once when nobody is waiting
                    if (accepted != null) {
                        accepted.configureBlocking(false);
                        connections.add(accepted);
                    }
                    for (Iterator<SocketChannel> it = connections.iterator(); it.hasNext(); ) {
                        SocketChannel c = it.next();
                        buffer.clear();
                        int n;
                        try {
                            n = c.read(buffer); // 0 at once when nothing has arrived
                            if (n > 0) {
                                buffer.flip();
                                while (buffer.hasRemaining() && running) {
                                    c.write(buffer); // spins on a full send buffer, as the seed's send would raise
                                }
                            }
                        } catch (IOException reset) {
                            n = -1;
                        }
                        if (n < 0) {
                            c.close();
                            it.remove();
                        }
                    }
                }
            } catch (IOException e) {
                // the listener was closed
            } finally {
                for (SocketChannel c : connections) {
                    try {
                        c.close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                }
            }
        }

        @Override
        public int port() {
            try {
                return ((InetSocketAddress) listener.getLocalAddress()).getPort();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() throws IOException {
            running = false;
            try {
                loop.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            listener.close();
        }
    }
}
