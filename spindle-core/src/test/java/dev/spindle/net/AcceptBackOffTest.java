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

    @Test
    void runningOutOfFileDescriptorsBacksOffAndRecovers() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String command = "ulimit -n 128 && exec '" + java + "' -Xshare:off -cp '" + System.getProperty("java.class.path")
                + "' " + FdLimitedEchoServer.class.getName();
        Process child = new ProcessBuilder("bash", "-c", command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
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
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (failures < 4 && System.nanoTime() < deadline) {
                in.println("failures");
                failures = Integer.parseInt(out.readLine().split(" ")[1]);
                Thread.sleep(50);
            }
            assertThat(failures).as("accept failed for want of descriptors").isGreaterThanOrEqualTo(4);
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
            child.getOutputStream().close();
            if (!child.waitFor(20, TimeUnit.SECONDS)) {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
