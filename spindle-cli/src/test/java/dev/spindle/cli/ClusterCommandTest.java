package dev.spindle.cli;

import dev.spindle.ignite.IgniteJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code spindle cluster init / node / status}: a real node in a JVM of its own, and a client that lists it. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterCommandTest {

    /** The spindle command in a JVM with the flags Ignite needs, as ./spindle's jar manifest gives them. */
    private static List<String> spindleWithIgniteFlags(String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(IgniteJvm.flags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Spindle.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** A port that is free, with the hundred after it (the node's communication port) free too. */
    private static int freePort() throws IOException {
        for (int i = 0; i < 50; i++) {
            int port = ThreadLocalRandom.current().nextInt(30_000, 40_000);
            try (ServerSocket a = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
                 ServerSocket b = new ServerSocket(port + 100, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port");
    }

    @Test
    void initMakesTheCertificatesANodeJoinsAndStatusListsIt(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("cluster");
        CliRun init = CliRun.of("cluster", "init", config.toString(), "--nodes", "1");
        assertThat(init.exit()).as(init.err()).isZero();
        assertThat(init.out()).contains("certificates for node-1, client");
        for (String file : List.of("ca.p12", "trust.p12", "node-1.p12", "client.p12", "password")) {
            assertThat(Files.getPosixFilePermissions(config.resolve(file))).as(file)
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
        String address = "127.0.0.1:" + freePort();
        try (SpindleProcess node = new SpindleProcess(spindleWithIgniteFlags("cluster", "node", "--config",
                config.toString(), "--identity", "node-1", "--address", address, "--join", address), Map.of())) {
            node.awaitOutput("spindle cluster node: node-1 listening on " + address);
            try (SpindleProcess status = new SpindleProcess(spindleWithIgniteFlags("cluster", "status", "--config",
                    config.toString(), "--join", address), Map.of())) {
                assertThat(status.awaitExit()).as(status.output()).isZero();
                assertThat(status.output()).contains("1 node and 1 client:")
                        .containsPattern("node-1 +" + address.replace(".", "\\.") + " +node")
                        .containsPattern("client +- +client");
            }
            assertThat(node.terminate()).isZero();
        }
    }

    @Test
    void initRefusesADirectoryThatAlreadyHoldsAnAuthority(@TempDir Path dir) {
        assertThat(CliRun.of("cluster", "init", dir.toString()).exit()).isZero();
        CliRun again = CliRun.of("cluster", "init", dir.toString());
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("already holds a cluster authority");
    }

    @Test
    void aJvmWithoutIgnitesFlagsIsToldWhichToAdd(@TempDir Path dir) {
        CliRun status = CliRun.of("cluster", "status", "--config", dir.toString());
        assertThat(status.exit()).isEqualTo(1);
        assertThat(status.err()).contains("this JVM cannot join an Ignite cluster")
                .contains("--add-opens=java.base/java.nio=ALL-UNNAMED");
    }
}
