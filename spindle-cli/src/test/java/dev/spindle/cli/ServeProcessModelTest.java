package dev.spindle.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code spindle serve --model process}: worker JVMs on one port, run as a user runs it. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServeProcessModelTest {

    @Test
    void workerJvmsServeOnePortAndTheStatsAtExitAreTheirSum() throws Exception {
        try (SpindleProcess serve = new SpindleProcess("serve", "--model", "process", "--workers", "2",
                "--inner", "event-loop", "--mode", "upper", "--port", "0")) {
            int port = serve.awaitPort();
            assertThat(serve.output()).contains("model process(2 × event-loop");
            for (int i = 0; i < 10; i++) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    s.setSoTimeout(20_000);
                    s.getOutputStream().write(("hello " + i).getBytes(StandardCharsets.UTF_8));
                    assertThat(new String(s.getInputStream().readNBytes(7), StandardCharsets.UTF_8)).isEqualTo("HELLO " + i);
                }
            }
            Thread.sleep(500); // the workers report every 200 ms
            assertThat(serve.terminate()).isZero();
            assertThat(serve.output()).contains("accepted=10").contains("errors=0");
        }
    }

    @Test
    void processOptionsApplyToTheProcessModelOnly() {
        StringWriter err = new StringWriter();
        var cli = Spindle.commandLine();
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(new StringWriter(), true));
        assertThat(cli.execute("serve", "--model", "virtual", "--workers", "2")).isEqualTo(2);
        assertThat(err.toString()).contains("--workers applies to --model process, not virtual");
    }
}
