package dev.spindle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spindle.net.EchoProtocol;
import dev.spindle.net.Model;
import dev.spindle.net.Protocol;
import dev.spindle.net.StreamServer;
import dev.spindle.net.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

class LoadCommandTest {

    private static int run(StringWriter out, String... args) {
        var cli = Spindle.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        return cli.execute(args);
    }

    @Test
    void loadAgainstAnEchoServerVerifiesEveryByteAndWritesItsReports(@TempDir Path tmp) throws Exception {
        try (StreamServer server = StreamServer.builder().model(Model.eventLoop(1)).protocol(EchoProtocol::new).open()) {
            server.start();
            Path json = tmp.resolve("load.json");
            Path html = tmp.resolve("load.html");
            StringWriter out = new StringWriter();
            int code = run(out, "load", "--port", String.valueOf(server.port()), "--connections", "20", "--depth", "4",
                    "--size", "100", "--duration", "1s", "--warmup", "200ms", "--json", json.toString(),
                    "--html", html.toString());
            assertThat(code).as(out.toString()).isZero();
            JsonNode report = new ObjectMapper().readTree(json.toFile());
            assertThat(report.get("connections").asInt()).isEqualTo(20);
            assertThat(report.get("size").asInt()).isEqualTo(100);
            assertThat(report.get("depth").asInt()).isEqualTo(4);
            assertThat(report.get("mismatches").asLong()).isZero();
            assertThat(report.get("connectionsLost").asLong()).isZero();

            // The measured messages are whole echoes the server saw, fewer than all it echoed: the
            // warm-up's came before, and the 80 in flight when measuring ended were answered after.
            long messages = report.get("messages").asLong();
            long min = report.get("minMessagesPerConnection").asLong();
            long max = report.get("maxMessagesPerConnection").asLong();
            long echoed = server.stats().bytesOut();
            assertThat(server.stats().bytesIn()).as("every byte sent came back, and nothing else").isEqualTo(echoed);
            assertThat(echoed % 100).as("only whole messages: every one sent was answered before the end").isZero();
            assertThat(messages * 100).isLessThan(echoed);
            assertThat(min).as("no connection starved").isPositive();
            assertThat(min).isLessThanOrEqualTo(max);

            // Percentiles never fall as they rise, and none passes the maximum.
            JsonNode latency = report.get("latencyMicros");
            double p50 = latency.get("p50").asDouble();
            assertThat(p50).isPositive();
            assertThat(List.of(p50, latency.get("p90").asDouble(), latency.get("p99").asDouble(),
                    latency.get("p99_9").asDouble(), latency.get("max").asDouble())).isSorted();
            assertThat(latency.get("mean").asDouble()).isBetween(0.0, latency.get("max").asDouble());
            List<Double> curve = new ArrayList<>();
            report.get("percentiles").forEach(point -> curve.add(point.get("micros").asDouble()));
            assertThat(curve).isNotEmpty().isSorted();
            assertThat(curve.get(curve.size() - 1)).isLessThanOrEqualTo(latency.get("max").asDouble());

            // The summary line and the page say the same count as the JSON.
            String count = String.format(Locale.ROOT, "%,d msgs", messages);
            assertThat(out.toString()).contains("20 connections, 100 B, depth 4").contains(count)
                    .contains("per connection " + min + ".." + max + " msgs, 0 mismatches, 0 connections lost");
            assertThat(Files.readString(html)).contains(count).contains("<svg").contains("<polyline");
        }
    }

    @Test
    void upperModeExpectsCapitals() throws Exception {
        try (StreamServer server = StreamServer.builder().model(Model.eventLoop(1))
                .protocol(() -> new EchoProtocol(true)).open()) {
            server.start();
            StringWriter out = new StringWriter();
            assertThat(run(out, "load", "--port", String.valueOf(server.port()), "--connections", "5",
                    "--duration", "300ms", "--warmup", "0s", "--mode", "upper")).as(out.toString()).isZero();
            StringWriter wrong = new StringWriter();
            assertThat(run(wrong, "load", "--port", String.valueOf(server.port()), "--connections", "5",
                    "--duration", "300ms", "--warmup", "0s", "--mode", "echo")).as("echo mode against an upper server")
                    .isEqualTo(1);
            assertThat(wrong.toString()).contains("first problem");
        }
    }

    @Test
    void aServerThatCorruptsOneByteFailsTheRun() throws Exception {
        try (StreamServer server = StreamServer.builder().model(Model.eventLoop(1)).protocol(() -> new Protocol() {
            Transport transport;
            long seen;

            @Override
            public void connectionMade(Transport t) {
                transport = t;
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                for (int i = data.position(); i < data.limit(); i++) {
                    if (++seen == 1000) {
                        data.put(i, (byte) '!');
                    }
                }
                transport.write(data);
            }
        }).open()) {
            server.start();
            StringWriter out = new StringWriter();
            int code = run(out, "load", "--port", String.valueOf(server.port()), "--connections", "1",
                    "--duration", "500ms", "--warmup", "0s");
            assertThat(code).isEqualTo(1);
            // Byte 1000 of the stream is byte 39 of message 15 (64-byte messages from 0); message 15
            // of connection 0 starts at offset 15 of the alphabet, so its byte 39 is 'a' + 54 % 26.
            assertThat(out.toString()).containsPattern("(?<![0-9])1 mismatches")
                    .contains("first problem: connection 0, message 15, byte 39: expected c got 33");
        }
    }
}
