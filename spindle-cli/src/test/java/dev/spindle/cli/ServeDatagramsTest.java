package dev.spindle.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code spindle serve --transport udp|unixgram}, {@code spindle client --udp} and {@code --when-full}, run as a user runs them. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServeDatagramsTest {

    @TempDir
    Path dir;

    private static String usageError(String... args) {
        StringWriter err = new StringWriter();
        var cli = Spindle.commandLine();
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(new StringWriter(), true));
        assertThat(cli.execute(args)).as("exit code of " + Arrays.toString(args)).isEqualTo(2);
        return err.toString();
    }

    /** Runs {@code spindle client ...} in this JVM and returns what it printed. */
    private static String client(String... args) {
        StringWriter out = new StringWriter();
        var cli = Spindle.commandLine();
        cli.setOut(new PrintWriter(out, true));
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        assertThat(cli.execute(args)).as("exit code of " + Arrays.toString(args) + "; " + err).isZero();
        return out.toString();
    }

    @Test
    void aUdpEchoServerAnswersTheSeedsUdpClientLoop() throws Exception {
        try (SpindleProcess serve = new SpindleProcess("serve", "--transport", "udp", "--port", "0")) {
            int port = serve.awaitPort();
            serve.awaitOutput("./spindle client --udp --host 127.0.0.1 --port " + port);
            assertThat(serve.output()).contains("echo server (udp, model virtual)");
            try (SpindleProcess loop = new SpindleProcess("client", "--udp", "--port", String.valueOf(port))) {
                loop.type("hello over udp", "", "second line", "q");
                assertThat(loop.awaitExit()).isZero();
                assertThat(loop.output()).contains("server: hello over udp").contains("server: second line");
            }
            assertThat(client("client", "--udp", "--port", String.valueOf(port), "--send", "one datagram"))
                    .isEqualTo("one datagram\n");
            assertThat(serve.terminate()).isZero();
            assertThat(serve.output()).contains("stopped; received=3 sent=3");
        }
    }

    @Test
    void aUnixDatagramServerUpperCasesAndRemovesItsSocketFileAtExit() throws Exception {
        Path socket = dir.resolve("upper.sock");
        try (SpindleProcess serve = new SpindleProcess("serve", "--transport", "unixgram", "--unix", socket.toString(),
                "--mode", "upper", "--model", "pool")) {
            serve.awaitPortOrUnix();
            assertThat(client("client", "--udp", "--unix", socket.toString(), "--send", "make me loud"))
                    .isEqualTo("MAKE ME LOUD\n");
            assertThat(serve.terminate()).isZero();
            assertThat(serve.output()).contains("upper server (unixgram, model pool(16, queue 128))")
                    .contains("received=1 sent=1");
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void datagramOptionsThatCannotApplyAreUsageErrorsThatSayWhy() {
        assertThat(usageError("serve", "--transport", "unixgram")).contains("--transport unixgram needs --unix PATH");
        assertThat(usageError("serve", "--transport", "udp", "--unix", "/tmp/x.sock"))
                .contains("--unix is for --transport unix or unixgram");
        assertThat(usageError("serve", "--transport", "udp", "--framing", "line", "--port", "0"))
                .contains("--framing does not apply to datagrams");
        assertThat(usageError("serve", "--transport", "udp", "--model", "async", "--port", "0"))
                .contains("no datagram form");
        assertThat(usageError("serve", "--transport", "udp", "--mode", "files", "--port", "0"))
                .contains("--mode files needs a stream");
        assertThat(usageError("serve", "--transport", "sctp")).contains("tcp, udp, unix, unixgram");
    }

    @Test
    void modelTuningOptionsAndTheWhenFullPolicyAreCheckedByName() {
        assertThat(usageError("serve", "--model", "virtual", "--pool-size", "4"))
                .contains("--pool-size applies to --model pool, not virtual");
        assertThat(usageError("serve", "--model", "pool", "--loops", "2"))
                .contains("--loops applies to --model event-loop, not pool");
        assertThat(usageError("serve", "--model", "fork")).contains("'fork' is not a model")
                .contains("sync, thread, pool, virtual, event-loop, async");
        assertThat(usageError("serve", "--when-full", "maybe")).contains("'maybe' is not a policy; choose wait or refuse");
    }

    @Test
    void theHelpOfEveryCommandWithAnAddressListsPortAndUnixOnceAndDemoHasHelp() {
        for (String command : new String[] {"serve", "load", "client"}) {
            String help = client(command, "--help");
            for (String option : new String[] {"--port=PORT", "--unix=PATH"}) {
                long listed = help.lines().filter(line -> line.trim().startsWith(option)).count();
                assertThat(listed).as(option + " in the option list of " + command + " --help").isEqualTo(1);
            }
        }
        assertThat(client("demo", "--help")).contains("Commands:").contains("pool");
    }

    /** A pool of one thread with no queue: the second client is refused under refuse, and waits under the default. */
    @Test
    void whenFullRefuseClosesTheNextConnectionAndWaitServesItLater() throws Exception {
        for (String policy : new String[] {"refuse", "wait"}) {
            try (SpindleProcess serve = new SpindleProcess("serve", "--port", "0", "--model", "pool",
                    "--pool-size", "1", "--pool-queue", "0", "--when-full", policy)) {
                int port = serve.awaitPort();
                try (Socket first = new Socket(InetAddress.getLoopbackAddress(), port);
                     Socket second = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    first.setSoTimeout(20_000);
                    second.setSoTimeout(20_000);
                    first.getOutputStream().write("first".getBytes(StandardCharsets.UTF_8));
                    assertThat(first.getInputStream().readNBytes(5)).asString(StandardCharsets.UTF_8).isEqualTo("first");
                    second.getOutputStream().write("second".getBytes(StandardCharsets.UTF_8));
                    if (policy.equals("refuse")) {
                        assertThat(second.getInputStream().read()).as("end of stream under refuse").isEqualTo(-1);
                    } else {
                        first.close();
                        assertThat(second.getInputStream().readNBytes(6)).as("served once the first left")
                                .asString(StandardCharsets.UTF_8).isEqualTo("second");
                    }
                }
                assertThat(serve.terminate()).isZero();
                assertThat(serve.output()).contains(policy.equals("refuse") ? "refused=1" : "refused=0");
            }
        }
    }
}
