package dev.spindle.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code spindle fetch} against a local HTTP server: pages, a missing page, a refused port and a page that never ends. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FetchCommandTest {

    private static final int PAGE_BYTES = 70_000;

    private static HttpServer server;
    private static ExecutorService handlers;
    /** Holds the slow page's answer until the test has its result: proof that nobody waited for it. */
    private static final CountDownLatch slowMayAnswer = new CountDownLatch(1);
    private static String base;

    @BeforeAll
    static void startServer() throws IOException {
        handlers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("http-test-", 0).factory());
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setExecutor(handlers);
        server.createContext("/page", exchange -> answer(exchange, 200, PAGE_BYTES));
        server.createContext("/missing", exchange -> answer(exchange, 404, 9));
        server.createContext("/slow", exchange -> {
            try {
                slowMayAnswer.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answer(exchange, 200, 1);
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, int status, int bytes) throws IOException {
        exchange.sendResponseHeaders(status, bytes);
        try (OutputStream body = exchange.getResponseBody()) {
            body.write(new byte[bytes]);
        }
    }

    @AfterAll
    static void stopServer() {
        slowMayAnswer.countDown();
        server.stop(0);
        handlers.close();
    }

    private static int refusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort(); // closed at once: nothing listens there
        }
    }

    @Test
    void eachUrlIsReportedAndALatePageIsListedNotWaitedFor() throws IOException {
        String refused = "http://127.0.0.1:" + refusedPort() + "/";
        CliRun run = CliRun.of("fetch", base + "/page", base + "/missing", refused, "http://no-such-host.invalid/",
                base + "/slow", "--deadline", "3s");
        assertThat(slowMayAnswer.getCount()).as("the slow page was still held when fetch returned").isEqualTo(1);
        assertThat(run.out())
                .contains(base + "/page: 200, 70,000 bytes in ")
                .contains(base + "/missing: 404, 9 bytes in ")
                .containsPattern(java.util.regex.Pattern.quote(refused) + ": failed after \\d+ ms: connection refused")
                .containsPattern("http://no-such-host\\.invalid/: failed after \\d+ ms: no such host")
                .contains("past the deadline (PT3S), cancelled: " + base + "/slow")
                .contains("2 of 5 URLs answered, 2 failed, 1 late");
        assertThat(run.exit()).as("a failed or late URL makes the exit code 1").isEqualTo(1);
    }

    @Test
    void jsonListsEveryAnswerAndTheLateOnes() throws IOException {
        CliRun run = CliRun.of("fetch", base + "/page", base + "/page?again", "--concurrency", "1", "--json");
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode result = new ObjectMapper().readTree(run.out());
        assertThat(result.get("urls")).hasSize(2);
        assertThat(result.get("urls").get(0).get("status").asInt()).isEqualTo(200);
        assertThat(result.get("urls").get(1).get("bytes").asLong()).isEqualTo(PAGE_BYTES);
        assertThat(result.get("late")).isEmpty();
    }

    @Test
    void aUrlThatIsNotHttpIsAUsageErrorThatNamesIt() {
        CliRun run = CliRun.of("fetch", "www.example.test/index.html");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("'www.example.test/index.html' is not an http:// or https:// URL")
                .contains("add the scheme, e.g. http://www.example.test/index.html");
        assertThat(CliRun.of("fetch", "ftp://127.0.0.1/x").err()).contains("'ftp://127.0.0.1/x' is not an http://");
    }

    @Test
    void aHostNameThatIsNotAsciiIsLookedUpInItsAsciiForm() {
        CliRun run = CliRun.of("fetch", "http://bücher.invalid:8080/seite?q=ä", "--deadline", "10s");
        assertThat(run.out()).as(run.err())
                .contains("http://xn--bcher-kva.invalid:8080/seite?q=ä: failed after")
                .contains("no such host");
        assertThat(run.exit()).isEqualTo(1);
    }
}
