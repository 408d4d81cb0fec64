package dev.spindle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code spindle scan} against local listeners with known ports. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ScanCommandTest {

    /** A port nobody listens on: bound, then freed. */
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void findsTheOpenPortsAndCountsTheClosedOnes() throws Exception {
        try (ServerSocket a = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ServerSocket b = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Integer> closed = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                closed.add(closedPort());
            }
            String list = a.getLocalPort() + "," + b.getLocalPort() + "," + closed.get(0) + "," + closed.get(1) + ","
                    + closed.get(2);
            CliRun lines = CliRun.of("scan", "127.0.0.1", "--ports", list, "--concurrency", "4", "--timeout", "2s");
            assertThat(lines.exit()).as(lines.err()).isZero();
            assertThat(lines.out()).contains("open " + a.getLocalPort()).contains("open " + b.getLocalPort())
                    .contains("2 open, 3 closed, 0 filtered of 5 ports");
            CliRun json = CliRun.of("scan", "localhost", "--ports", list, "--json", "--timeout", "2s");
            JsonNode result = new ObjectMapper().readTree(json.out());
            List<Integer> open = new ArrayList<>();
            result.get("open").forEach(n -> open.add(n.asInt()));
            assertThat(open).containsExactlyInAnyOrder(a.getLocalPort(), b.getLocalPort());
            assertThat(result.get("closed").asInt()).isEqualTo(3);
            assertThat(result.get("scanned").asInt()).isEqualTo(5);
        }
    }

    @Test
    void portsOutsideTheRangeAndTooMuchConcurrencyAreRefusedWithWhy() {
        assertThat(CliRun.of("scan", "127.0.0.1", "--ports", "0-10").err()).contains("'0-10' is outside 1-65535");
        assertThat(CliRun.of("scan", "127.0.0.1", "--ports", "70000").err()).contains("'70000' is outside 1-65535");
        assertThat(CliRun.of("scan", "127.0.0.1", "--ports", "http").err()).contains("'http' is not a port or a range");
        CliRun tooMany = CliRun.of("scan", "127.0.0.1", "--ports", "1", "--concurrency", "10000000");
        assertThat(tooMany.exit()).isEqualTo(2);
        assertThat(tooMany.err()).contains("open-file limit");
    }
}
