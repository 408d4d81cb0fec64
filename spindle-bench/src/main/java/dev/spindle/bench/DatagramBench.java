package dev.spindle.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * UDP echo, packets per second: Spindle's {@code DatagramServer} under its models, Netty's NIO
 * datagram channel, and Python's {@code ThreadingUDPServer}, measured in one run by one load.
 *
 * <p>Each server runs in its own process (pinned to CPU 0 where {@code taskset} exists; the load
 * runs here, which the {@code udp-bench} script pins to CPU 1). The load is {@code --clients}
 * connected UDP sockets on platform threads, each keeping {@code --depth} datagrams of
 * {@code --size} bytes in flight: a reply lets the next go. A datagram not answered within 200 ms
 * counts as lost and is sent again. Servers are measured in turn, the order rotating each round;
 * the table shows the median of the rounds and the ratio to Netty.
 *
 * <p>Options: {@code --rounds N (3) --seconds S (3) --clients C (8) --depth D (4) --size B (64) --out FILE}.
 */
public final class DatagramBench {

    private static final long RECEIVE_TIMEOUT_MILLIS = 200;

    private int rounds = 3;
    private int seconds = 3;
    private int clients = 8;
    private int depth = 4;
    private int size = 64;
    private Path out;
    private final boolean taskset = Files.isExecutable(Path.of("/usr/bin/taskset"));

    private DatagramBench() {
    }

    public static void main(String[] args) throws Exception {
        DatagramBench bench = new DatagramBench();
        for (int i = 0; i < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--rounds" -> bench.rounds = Integer.parseInt(value);
                case "--seconds" -> bench.seconds = Integer.parseInt(value);
                case "--clients" -> bench.clients = Integer.parseInt(value);
                case "--depth" -> bench.depth = Integer.parseInt(value);
                case "--size" -> bench.size = Integer.parseInt(value);
                case "--out" -> bench.out = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        bench.run();
    }

    private void run() throws Exception {
        List<String> servers = new ArrayList<>(DatagramEchoServers.NAMES);
        String python = System.getProperty("spindle.bench.python");
        if (python != null) {
            servers.add("python-threading");
        }
        Map<String, List<double[]>> samples = new LinkedHashMap<>();
        servers.forEach(s -> samples.put(s, new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < servers.size(); k++) {
                String server = servers.get((k + round) % servers.size());
                double[] result = measure(server, python);
                samples.get(server).add(result);
                System.err.printf(Locale.ROOT, "round %d %-18s %,12.0f pkts/s  lost %.0f%n", round + 1, server,
                        result[0], result[1]);
            }
        }
        String table = table(samples);
        System.out.println(table);
        if (out != null) {
            Files.writeString(out, table);
        }
    }

    /** @return packets per second and packets lost, for one server */
    private double[] measure(String server, String python) throws Exception {
        List<String> command = new ArrayList<>();
        if (taskset) {
            command.addAll(List.of("taskset", "-c", "0"));
        }
        if (server.equals("python-threading")) {
            command.addAll(List.of("python3", python, "0"));
        } else {
            command.add(ProcessHandle.current().info().command().orElse("java"));
            command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                    DatagramEchoServers.class.getName(), server, "0"));
        }
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String first = lines.readLine();
            if (first == null || !first.startsWith("listening ")) {
                throw new IOException(server + " did not start: " + first);
            }
            InetSocketAddress address = new InetSocketAddress("127.0.0.1",
                    Integer.parseInt(first.substring("listening ".length()).trim()));
            load(address, 1); // warm up
            return load(address, seconds);
        } finally {
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Runs the load for {@code forSeconds}: packets answered per second, and packets lost. */
    private double[] load(InetSocketAddress address, int forSeconds) throws InterruptedException {
        LongAdder answered = new LongAdder();
        LongAdder lost = new LongAdder();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(forSeconds);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofPlatform().name("udp-load-" + c).start(() -> client(address, end, answered, lost)));
        }
        for (Thread t : threads) {
            t.join();
        }
        return new double[] {answered.sum() / (double) forSeconds, lost.sum()};
    }

    private void client(InetSocketAddress address, long end, LongAdder answered, LongAdder lost) {
        byte[] payload = new byte[size];
        byte[] reply = new byte[65536];
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(address);
            socket.setSoTimeout((int) RECEIVE_TIMEOUT_MILLIS);
            DatagramPacket out = new DatagramPacket(payload, payload.length);
            DatagramPacket in = new DatagramPacket(reply, reply.length);
            for (int i = 0; i < depth; i++) {
                socket.send(out);
            }
            long count = 0;
            while (System.nanoTime() - end < 0) {
                try {
                    socket.receive(in);
                    count++;
                    socket.send(out);
                } catch (SocketTimeoutException e) {
                    lost.add(depth);
                    for (int i = 0; i < depth; i++) {
                        socket.send(out);
                    }
                }
            }
            answered.add(count);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String table(Map<String, List<double[]>> samples) {
        double netty = median(samples.get("netty-nio"), 0);
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "UDP echo, %d B datagrams, %d clients x depth %d, %d s per run, median of %d "
                + "rounds (%s)%n%n", size, clients, depth, seconds, rounds,
                taskset ? "server pinned to CPU 0, load to CPU 1" : "not pinned"));
        t.append("| server | packets/s | vs Netty NIO | lost (all rounds) |\n|---|---:|---:|---:|\n");
        for (Map.Entry<String, List<double[]>> e : samples.entrySet()) {
            double rate = median(e.getValue(), 0);
            double lostAll = e.getValue().stream().mapToDouble(r -> r[1]).sum();
            t.append(String.format(Locale.ROOT, "| %s | %,.0f | %.2f× | %,.0f |%n", label(e.getKey()), rate,
                    rate / netty, lostAll));
        }
        return t.toString();
    }

    private static String label(String server) {
        return switch (server) {
            case "netty-nio" -> "Netty NIO datagram channel (1 loop)";
            case "python-threading" -> "Python ThreadingUDPServer";
            case "event-loop" -> "Spindle event-loop(1)";
            default -> "Spindle " + server;
        };
    }

    private static double median(List<double[]> values, int index) {
        double[] sorted = values.stream().mapToDouble(v -> v[index]).sorted().toArray();
        return sorted.length == 0 ? 0 : sorted[sorted.length / 2];
    }
}
