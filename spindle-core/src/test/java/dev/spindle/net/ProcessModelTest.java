package dev.spindle.net;

import dev.spindle.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The process model with real worker JVMs on one port: serving, stats, a killed worker, shutdown. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ProcessModelTest {

    /** Echoes each message prefixed with the worker's pid: "pid:message". */
    static final class PidEcho implements ConnectionHandler, Serializable {
        @Override
        public void handle(Connection connection) throws IOException {
            String pid = ProcessHandle.current().pid() + ":";
            byte[] data;
            while ((data = connection.recv(8192)).length > 0) {
                connection.sendAll((pid + new String(data, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** {@link PidEcho} as a protocol, for the non-blocking inner models. */
    static final class PidProtocol implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(java.nio.ByteBuffer data) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            transport.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + ":"
                    + new String(bytes, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** Waits a little before it answers: a request under way when the server shuts down. */
    static final class SlowEcho implements ConnectionHandler, Serializable {
        @Override
        public void handle(Connection connection) throws IOException {
            byte[] data;
            while ((data = connection.recv(8192)).length > 0) {
                try {
                    Thread.sleep(700);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                connection.sendAll(data);
            }
        }
    }

    private static Connection connect(StreamServer server) throws IOException {
        Connection c = Client.connect("127.0.0.1", server.port(), Duration.ofSeconds(10));
        c.readTimeout(Duration.ofSeconds(30));
        return c;
    }

    /** Sends {@code message} and returns the pid of the worker that answered. */
    private static long ask(Connection c, String message) throws IOException {
        c.sendAll(message.getBytes(StandardCharsets.UTF_8));
        byte[] reply = new byte[128];
        int n = c.recvInto(java.nio.ByteBuffer.wrap(reply));
        String text = new String(reply, 0, n, StandardCharsets.UTF_8);
        assertThat(text).endsWith(":" + message);
        return Long.parseLong(text.substring(0, text.indexOf(':')));
    }

    @Test
    void workersShareOnePortAndTheirStatsAreSummed() throws Exception {
        try (StreamServer server = StreamServer.builder().name("forking").model(Model.processes(2))
                .handler(new PidEcho()).open()) {
            server.start();
            assertThat(server.workerPids()).hasSize(2).doesNotContain(ProcessHandle.current().pid());
            Set<Long> answered = new HashSet<>();
            int connections = 40;
            for (int i = 0; i < connections; i++) {
                try (Connection c = connect(server)) {
                    answered.add(ask(c, "m" + i));
                }
            }
            assertThat(answered).as("both workers answered").containsExactlyInAnyOrderElementsOf(server.workerPids());
            Await.until("the workers' reports add up", () -> server.stats().accepted() == connections
                    && server.stats().active() == 0);
            assertThat(server.model()).hasToString("process(2 × virtual)");
        }
    }

    @Test
    void aWorkerKilledUnderLoadIsReplacedAndTheOtherWorkersConnectionsAreUnharmed() throws Exception {
        try (StreamServer server = StreamServer.builder().model(Model.processes(2, Model.eventLoop(1)))
                .protocol((Supplier<Protocol> & Serializable) PidProtocol::new).open()) {
            server.start();
            // Hold a connection to each worker.
            Map<Long, Connection> byWorker = new HashMap<>();
            List<Connection> extra = new ArrayList<>();
            for (int i = 0; i < 60 && byWorker.size() < 2; i++) {
                Connection c = connect(server);
                long pid = ask(c, "hi");
                if (byWorker.putIfAbsent(pid, c) != null) {
                    extra.add(c);
                }
            }
            extra.forEach(Connection::close);
            assertThat(byWorker).hasSize(2);
            List<Long> pids = new ArrayList<>(byWorker.keySet());
            long victim = pids.get(0);
            long survivor = pids.get(1);
            ProcessHandle.of(victim).orElseThrow().destroyForcibly();
            assertThat(byWorker.get(victim).recv(10)).as("the killed worker's connection ends").isEmpty();
            assertThat(ask(byWorker.get(survivor), "still here")).as("the other worker's connection is unharmed")
                    .isEqualTo(survivor);
            Await.until("a new worker takes the dead one's place", () -> server.workerPids().size() == 2
                    && !server.workerPids().contains(victim));
            Set<Long> answered = new HashSet<>();
            for (int i = 0; i < 40; i++) {
                try (Connection c = connect(server)) {
                    answered.add(ask(c, "after " + i));
                }
            }
            assertThat(answered).doesNotContain(victim).contains(survivor).hasSize(2);
            byWorker.values().forEach(Connection::close);
        }
    }

    @Test
    void shutdownDrainsEveryWorkerWithinTheGraceAndLeavesNoJvm() throws Exception {
        StreamServer server = StreamServer.builder().model(Model.processes(2)).handler(new SlowEcho()).open();
        server.start();
        List<Long> pids = server.workerPids();
        try (Connection c = connect(server)) {
            c.sendAll("in flight".getBytes(StandardCharsets.UTF_8));
            Thread.sleep(200); // the request is with a worker
            Thread stopper = Thread.ofPlatform().name("stopper").start(() -> server.shutdown(Duration.ofSeconds(10)));
            assertThat(c.recvExactly(9)).as("the request under way is answered").isEqualTo("in flight".getBytes());
            c.close();
            stopper.join(30_000);
        }
        assertThat(server.state()).isEqualTo(StreamServer.State.CLOSED);
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("worker " + pid).isFalse();
        }
        assertThat(server.stats().accepted()).isEqualTo(1);
    }

    @Test
    void whatCannotCrossToAWorkerIsRefusedByName() {
        assertThatThrownBy(() -> StreamServer.builder().model(Model.processes(1))
                .handler(connection -> { }).open())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("must be Serializable");
        assertThatThrownBy(() -> StreamServer.builder().model(Model.processes(1)).bindUnix(Path.of("/tmp/x.sock"))
                .handler(new PidEcho()).open())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TCP only");
        assertThatThrownBy(() -> StreamServer.builder().model(Model.processes(1)).verifyRequest(peer -> true)
                .handler(new PidEcho()).open())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("hooks run in this JVM");
        assertThatThrownBy(() -> Model.processes(2, Model.processes(2))).isInstanceOf(IllegalArgumentException.class);
        assertThat(Model.of("process").threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }
}
