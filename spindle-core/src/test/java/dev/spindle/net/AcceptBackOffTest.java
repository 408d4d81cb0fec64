package dev.spindle.net;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server that runs out of file descriptors backs off instead of spinning or dying, and serves
 * again once descriptors are free. The server runs in a child JVM limited to 128 open files.
 */
class AcceptBackOffTest {

    private static final int CLIENTS = 200;

    private static Process startChild(String... args) throws java.io.IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        String command = "ulimit -n 128 && exec '" + java + "' -Xshare:off -cp '" + System.getProperty("java.class.path")
                + "' " + FdLimitedEchoServer.class.getName() + " " + String.join(" ", args);
        return new ProcessBuilder("bash", "-c", command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static void stop(Process child) throws InterruptedException, java.io.IOException {
        child.getOutputStream().close();
        if (!child.waitFor(20, TimeUnit.SECONDS)) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The JDK starts its virtual-thread I/O poller when a virtual thread first blocks on a socket;
     * if that happens with no descriptor free, virtual-thread I/O is broken for the JVM's life.
     * A server opened under VIRTUAL has started it already.
     */
    @Test
    void aVirtualThreadServerStillServesWhenItsFirstConnectionFindsNoSpareDescriptors() throws Exception {
        Process child = startChild("exhaust");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String first = out.readLine();
            assertThat(first).as("the child's first line").startsWith("port ");
            int port = Integer.parseInt(first.substring(5));
            try (Connection c = Client.builder().readTimeout(Duration.ofSeconds(20)).build()
                    .connect(new InetSocketAddress("127.0.0.1", port))) {
                // Give the handler time to block in its first read, which is what needs the
                // poller; were the data there first, the read would not block and prove nothing.
                Thread.sleep(300);
                c.sendAll("served".getBytes(StandardCharsets.UTF_8));
                assertThat(c.recvExactly(6)).isEqualTo("served".getBytes(StandardCharsets.UTF_8));
            }
        } finally {
            stop(child);
        }
    }

    @Test
    void runningOutOfFileDescriptorsBacksOffAndRecovers() throws Exception {
        Process child = startChild();
        List<Connection> clients = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter in = new PrintWriter(child.getOutputStream(), true, StandardCharsets.UTF_8)) {
            String first = out.readLine();
            assertThat(first).as("the child's first line").startsWith("port ");
            int port = Integer.parseInt(first.substring(5));
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);

            // More clients than the child has descriptors: the kernel completes their handshakes
            // into the backlog, and accepting them fails with EMFILE.
            Client client = Client.builder().readTimeout(Duration.ofSeconds(20)).build();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(client.connect(address));
            }
            int failures = 0;
            String report = "";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (failures < 4 && System.nanoTime() < deadline) {
                in.println("failures");
                report = out.readLine();
                failures = Integer.parseInt(report.split(" ")[1]);
                Thread.sleep(50);
            }
            assertThat(failures).as("accept failed for want of descriptors: " + report).isGreaterThanOrEqualTo(4);
            Thread.sleep(500);
            in.println("failures");
            int later = Integer.parseInt(out.readLine().split(" ")[1]);
            // Backing off from 5 ms doubling, half a second holds a handful more attempts; a spin holds thousands.
            assertThat(later).as("attempts while starved").isLessThan(40);
            assertThat(child.isAlive()).isTrue();

            for (Connection c : clients) {
                c.close();
            }
            clients.clear();
            try (Connection again = client.connect(address)) {
                again.sendAll("recovered".getBytes(StandardCharsets.UTF_8));
                assertThat(again.recvExactly(9)).isEqualTo("recovered".getBytes(StandardCharsets.UTF_8));
            }
        } finally {
            for (Connection c : clients) {
                c.close();
            }
            stop(child);
        }
    }
}
