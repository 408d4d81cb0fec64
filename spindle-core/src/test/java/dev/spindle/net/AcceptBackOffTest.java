package dev.spindle.net;

import dev.spindle.testing.Await;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server that runs out of file descriptors backs off instead of spinning or dying, counts the
 * failed accepts, serves again once descriptors are free and says so. The server runs in a child
 * JVM limited to 128 open files; what it logs goes to a file the test reads.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AcceptBackOffTest {

    private static final int CLIENTS = 200;
    private static final Pattern RECOVERED = Pattern.compile(
            "accepting again after (\\d+) failed accepts over [0-9.]+ s; first failure: Too many open files");

    @TempDir
    Path dir;

    /** The child; what it prints on stderr (its log) goes to {@code log}. */
    private static Process startChild(Path log, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String command = "ulimit -n 128 && exec '" + java + "' -Xshare:off -cp '" + System.getProperty("java.class.path")
                + "' " + FdLimitedEchoServer.class.getName() + " " + String.join(" ", args);
        return new ProcessBuilder("bash", "-c", command).redirectError(log.toFile()).start();
    }

    private static void stop(Process child) throws InterruptedException, IOException {
        child.getOutputStream().close();
        if (!child.waitFor(20, TimeUnit.SECONDS)) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Asks the child a question and returns its answer's second word. */
    private static String ask(PrintWriter in, BufferedReader out, String question) {
        in.println(question);
        String answer;
        try {
            answer = out.readLine();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(answer).as("the child's answer to " + question).startsWith(question + " ");
        return answer.split(" ")[1];
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The JDK starts its virtual-thread I/O poller when a virtual thread first blocks on a socket;
     * if that happens with no descriptor free, virtual-thread I/O is broken for the JVM's life.
     * A server opened under VIRTUAL has started it already.
     */
    @Test
    void aVirtualThreadServerStillServesWhenItsFirstConnectionFindsNoSpareDescriptors() throws Exception {
        Process child = startChild(dir.resolve("child.log"), "exhaust");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter in = new PrintWriter(child.getOutputStream(), true, StandardCharsets.UTF_8)) {
            String first = out.readLine();
            assertThat(first).as("the child's first line").startsWith("port ");
            int port = Integer.parseInt(first.substring(5));
            try (Connection c = Client.builder().readTimeout(Duration.ofSeconds(20)).build()
                    .connect(new InetSocketAddress("127.0.0.1", port))) {
                // The handler must block in its first read, which is what needs the poller; were
                // the data there first, the read would not block and prove nothing.
                Await.until("the handler is blocked in its first read",
                        () -> ask(in, out, "handler").equals("blocked-in-read"));
                c.sendAll("served".getBytes(StandardCharsets.UTF_8));
                assertThat(c.recvExactly(6)).isEqualTo("served".getBytes(StandardCharsets.UTF_8));
            }
        } finally {
            stop(child);
        }
    }

    /**
     * The most attempts a back-off from 5 ms doubling to 1 s allows in {@code elapsedNanos}: each
     * attempt after the first waits its turn of the schedule first, and a wait never ends early.
     */
    static long attemptsAllowedBySchedule(long elapsedNanos) {
        long attempts = 1;
        long waited = 0;
        long backoff = AcceptFailures.MIN_BACKOFF_NANOS;
        while (waited + backoff <= elapsedNanos) {
            waited += backoff;
            attempts++;
            backoff = Math.min(AcceptFailures.MAX_BACKOFF_NANOS, backoff * 2);
        }
        return attempts;
    }

    @Test
    void theScheduleBoundIsTheBackOffSum() {
        assertThat(attemptsAllowedBySchedule(0)).isEqualTo(1);
        assertThat(attemptsAllowedBySchedule(TimeUnit.MILLISECONDS.toNanos(4))).isEqualTo(1);
        assertThat(attemptsAllowedBySchedule(TimeUnit.MILLISECONDS.toNanos(15))).isEqualTo(3);
        // 5 + 10 + ... + 640 = 1275 ms, then 1 s each
        assertThat(attemptsAllowedBySchedule(TimeUnit.MILLISECONDS.toNanos(1275))).isEqualTo(9);
        assertThat(attemptsAllowedBySchedule(TimeUnit.MILLISECONDS.toNanos(3275))).isEqualTo(11);
    }

    @Test
    void runningOutOfFileDescriptorsBacksOffCountsTheFailuresAndSaysWhenItRecovers() throws Exception {
        Path log = dir.resolve("child.log");
        Process child = startChild(log);
        List<Connection> clients = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter in = new PrintWriter(child.getOutputStream(), true, StandardCharsets.UTF_8)) {
            String first = out.readLine();
            assertThat(first).as("the child's first line").startsWith("port ");
            int port = Integer.parseInt(first.substring(5));
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);

            // More clients than the child has descriptors: the kernel completes their handshakes
            // into the backlog, and accepting them fails with EMFILE.
            long start = System.nanoTime(); // before the first failure, so an upper bound on the outage
            Client client = Client.builder().readTimeout(Duration.ofSeconds(20)).build();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(client.connect(address));
            }
            // Nine attempts take at least 1.275 s of back-off; a spinning server makes thousands.
            Await.until("nine accepts have failed", () -> Long.parseLong(ask(in, out, "failures")) >= 9);
            long failures = Long.parseLong(ask(in, out, "failures"));
            long elapsed = System.nanoTime() - start;
            assertThat(failures).as("failed accepts in %d ms", TimeUnit.NANOSECONDS.toMillis(elapsed))
                    .isLessThanOrEqualTo(attemptsAllowedBySchedule(elapsed));
            assertThat(child.isAlive()).isTrue();

            for (Connection c : clients) {
                c.close();
            }
            clients.clear();
            try (Connection again = client.connect(address)) {
                again.sendAll("recovered".getBytes(StandardCharsets.UTF_8));
                assertThat(again.recvExactly(9)).isEqualTo("recovered".getBytes(StandardCharsets.UTF_8));
            }
            Await.until("the child logs that it accepts again", () -> RECOVERED.matcher(read(log)).find());
            String logged = read(log);
            Matcher recovered = RECOVERED.matcher(logged);
            assertThat(recovered.find()).isTrue();
            long total = Long.parseLong(ask(in, out, "failures"));
            assertThat(Long.parseLong(recovered.group(1))).as("failed accepts in the recovery line").isEqualTo(total)
                    .isGreaterThanOrEqualTo(failures);
            assertThat(RECOVERED.matcher(logged).results().count()).as("recovery lines").isEqualTo(1);
        } finally {
            for (Connection c : clients) {
                c.close();
            }
            stop(child);
        }
    }
}
