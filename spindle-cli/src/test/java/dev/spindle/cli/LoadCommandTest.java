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
            assertThat(out.toString()).contains("20 connections").contains("0 mismatches");
            JsonNode report = new ObjectMapper().readTree(json.toFile());
            assertThat(report.get("messages").asLong()).isPositive();
            assertThat(report.get("minMessagesPerConnection").asLong()).as("no connection starved").isPositive();
            assertThat(report.get("latencyMicros").get("p99").asDouble()).isPositive();
            assertThat(Files.readString(html)).contains("<svg").contains("<polyline");
            // Every byte the load client sent came back, and nothing else.
            assertThat(server.stats().bytesIn()).isEqualTo(server.stats().bytesOut());
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
            assertThat(out.toString()).contains("1 mismatches").contains("byte");
        }
    }
}
