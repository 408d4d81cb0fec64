package dev.spindle.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code spindle bench}: real servers in child JVMs under {@code spindle load}, cut short. Netty
 * may or may not be built beside this checkout, so these runs name their servers.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BenchCommandTest {

    @Test
    void twoModelsUnderOneWorkloadGiveATableAChartAndTheFiles(@TempDir Path dir) throws IOException {
        Path table = dir.resolve("table.md");
        Path svg = dir.resolve("chart.svg");
        CliRun run = CliRun.of("bench", "--servers", "event-loop,virtual", "--workloads", "1", "--reps", "1",
                "--warmup", "300ms", "--duration", "700ms", "--out", table.toString(), "--svg", svg.toString());
        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out())
                .containsPattern("\\| ping-pong 64 B × 100 \\| event-loop \\| [1-9][\\d,]* \\|")
                .containsPattern("\\| ping-pong 64 B × 100 \\| virtual \\| [1-9][\\d,]* \\|")
                .contains("0.3 s warm-up, 0.7 s measured")
                .contains("bars relative to the fastest server of each workload")
                .containsPattern("  event-loop   █+ *[\\d,]+  \\d\\.\\d\\d×");
        assertThat(run.err()).contains("run 1  ping-pong 64 B × 100");
        assertThat(Files.readString(table)).contains("| ping-pong 64 B × 100 | virtual |");
        assertThat(Files.readString(svg)).startsWith("<svg").contains("<title>ping-pong 64 B × 100 event-loop");
    }

    @Test
    void anUnknownServerOrWorkloadOrPeerJarIsAUsageErrorThatSaysWhatThereIs() {
        CliRun server = CliRun.of("bench", "--servers", "tornado");
        assertThat(server.exit()).isEqualTo(2);
        assertThat(server.err()).contains("no server is called 'tornado'; choose from thread, virtual, event-loop, async,"
                + " process, netty-nio, netty-epoll");
        CliRun workload = CliRun.of("bench", "--workloads", "9");
        assertThat(workload.exit()).isEqualTo(2);
        assertThat(workload.err()).contains("--workloads: 9 is not a workload; they are numbered 1 to 5");
        CliRun peers = CliRun.of("bench", "--peers", "/no/such/spindle-bench.jar");
        assertThat(peers.exit()).isEqualTo(2);
        assertThat(peers.err()).contains("--peers: /no/such/spindle-bench.jar is not a file");
    }
}
