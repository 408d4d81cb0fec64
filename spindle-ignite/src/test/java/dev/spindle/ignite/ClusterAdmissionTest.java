package dev.spindle.ignite;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Who may join: only a member with a certificate from the cluster's authority, in a JVM with Ignite's flags. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterAdmissionTest {

    private static TestCluster nodes;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        nodes = TestCluster.start(2, 2);
    }

    @AfterAll
    static void stopThem() throws Exception {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    void aMemberWithTheClustersCertificateJoinsAndSeesEveryNode() throws Exception {
        try (Cluster cluster = nodes.connect()) {
            assertThat(cluster.members()).extracting(ClusterMember::identity).containsExactly("node-1", "node-2", "client");
            assertThat(cluster.members().getFirst().address()).isEqualTo(nodes.join().getFirst());
        }
    }

    @Test
    void aClientWithAnotherAuthoritysCertificateIsRefusedAndSaysWhy(@TempDir Path dir) throws Exception {
        Path stranger = dir.resolve("other-ca");
        ClusterCertificates.init(stranger, List.of("client"));
        ClusterSettings settings = ClusterSettings.builder(stranger).join(nodes.join())
                .joinTimeout(Duration.ofSeconds(20)).build();
        assertThatThrownBy(() -> Cluster.connect(settings)).isInstanceOf(ClusterJoinException.class)
                .hasMessageContaining("refused client's certificate");
        try (Cluster cluster = nodes.connect()) {
            assertThat(cluster.members()).extracting(ClusterMember::identity).doesNotContain("stranger")
                    .hasSize(3);
        }
    }

    @Test
    void aNodeWithAnotherAuthoritysCertificateCannotJoin(@TempDir Path dir) throws Exception {
        Path stranger = dir.resolve("other-ca");
        ClusterCertificates.init(stranger, List.of("node-1"));
        int port = Integer.parseInt(nodes.join().getLast().substring("127.0.0.1:".length())) + 50;
        ClusterSettings settings = ClusterSettings.builder(stranger).identity("node-1").address("127.0.0.1:" + port)
                .join(nodes.join()).joinTimeout(Duration.ofSeconds(20)).build();
        assertThatThrownBy(() -> ClusterNode.start(settings)).isInstanceOf(ClusterJoinException.class)
                .hasMessageContaining("refused node-1's certificate");
        try (Cluster cluster = nodes.connect()) {
            assertThat(cluster.members()).filteredOn(ClusterMember::server).hasSize(2);
        }
    }

    @Test
    void aDirectoryWithoutTheMembersCertificateSaysHowToMakeOne() {
        ClusterSettings settings = nodes.settings().identity("node-9").build();
        assertThatThrownBy(() -> ClusterNode.start(settings)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no certificate for 'node-9'");
    }

    @Test
    void aJvmWithoutIgnitesFlagsIsToldWhichToAdd(@TempDir Path dir) throws Exception {
        assertThat(IgniteJvm.missingFlags()).as("this test JVM has them (surefire's argLine)").isEmpty();
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), ConnectWithoutFlagsMain.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(3);
        assertThat(out).contains("this JVM cannot join an Ignite cluster: start it with these flags")
                .contains("--add-opens=java.base/java.nio=ALL-UNNAMED");
        assertThat(Files.list(dir)).as("nothing written").isEmpty();
    }
}
