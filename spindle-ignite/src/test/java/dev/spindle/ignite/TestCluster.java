package dev.spindle.ignite;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real cluster nodes on 127.0.0.1 for a test class, each in a JVM of its own, with a certificate
 * authority of their own. {@link #close()} stops every node it started (killing one that does not
 * stop) and deletes the certificates.
 */
final class TestCluster implements AutoCloseable {

    private final Path directory;
    private final int basePort;
    private final Map<String, Process> nodes = new LinkedHashMap<>();
    private final List<String> join;
    private Cluster client;

    private TestCluster(Path directory, int basePort, int slots) {
        this.directory = directory;
        this.basePort = basePort;
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < slots; i++) {
            addresses.add("127.0.0.1:" + (basePort + i));
        }
        this.join = List.copyOf(addresses);
    }

    /** A cluster of {@code initial} nodes (node-1 ...), with certificates for {@code slots} nodes and a client. */
    static TestCluster start(int initial, int slots) throws Exception {
        Path dir = Files.createTempDirectory("spindle-cluster-test-");
        List<String> members = new ArrayList<>();
        for (int i = 1; i <= slots; i++) {
            members.add("node-" + i);
        }
        members.add("client");
        ClusterCertificates.init(dir.resolve("ca"), members);
        TestCluster cluster = new TestCluster(dir.resolve("ca"), freeBase(slots), slots);
        try {
            List<CompletableFuture<Void>> starting = new ArrayList<>();
            for (int i = 1; i <= initial; i++) {
                starting.add(cluster.startNodeAsync("node-" + i));
            }
            for (CompletableFuture<Void> s : starting) {
                s.get(120, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** Ports for the nodes' discovery (base ..) and communication (base + 100 ..), all free now. */
    private static int freeBase(int slots) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 30_000);
            if (allFree(base, slots) && allFree(base + 100, slots + 2)) {
                return base;
            }
        }
        throw new IOException("no free ports for a test cluster");
    }

    private static boolean allFree(int from, int count) {
        for (int p = from; p < from + count; p++) {
            try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
            } catch (IOException taken) {
                return false;
            }
        }
        return true;
    }

    Path directory() {
        return directory;
    }

    List<String> join() {
        return join;
    }

    ClusterSettings.Builder settings() {
        return ClusterSettings.builder(directory).join(join).allow("org.example.allowed.*");
    }

    Cluster connect() throws IOException {
        return Cluster.connect(settings().build());
    }

    /** This JVM's client of the cluster, made on first use and closed with the cluster. */
    Cluster client() throws IOException {
        if (client == null) {
            client = connect();
        }
        return client;
    }

    CompletableFuture<Void> startNodeAsync(String identity) throws IOException {
        int index = Integer.parseInt(identity.substring("node-".length())) - 1;
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(IgniteJvm.flags());
        command.addAll(List.of("-Xmx512m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                TestNodeMain.class.getName(), directory.toString(), identity, join.get(index), String.join(",", join)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        nodes.put(identity, p);
        CompletableFuture<Void> joined = new CompletableFuture<>();
        Thread.ofPlatform().daemon(true).name("test-" + identity + "-output").start(() -> {
            StringBuilder seen = new StringBuilder();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.startsWith("joined ")) {
                        joined.complete(null);
                    } else if (!joined.isDone() && seen.length() < 20_000) {
                        seen.append(line).append('\n');
                    }
                }
            } catch (IOException ignored) {
                // ended
            }
            joined.completeExceptionally(new IOException(identity + " ended before it joined:\n" + seen));
        });
        return joined;
    }

    void startNode(String identity) throws Exception {
        startNodeAsync(identity).get(120, TimeUnit.SECONDS);
    }

    /** SIGKILLs a node, as a crash would end it. */
    void kill(String identity) throws InterruptedException {
        Process p = nodes.remove(identity);
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
        Member.sweepAbandonedWorkDirectories(); // what the killed node could not delete
    }

    @Override
    public void close() throws Exception {
        if (client != null) {
            client.close();
        }
        for (Process p : nodes.values()) {
            p.getOutputStream().close();
        }
        for (Process p : nodes.values()) {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        nodes.clear();
        Member.sweepAbandonedWorkDirectories();
        try (Stream<Path> paths = Files.walk(directory.getParent())) {
            for (Path f : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
