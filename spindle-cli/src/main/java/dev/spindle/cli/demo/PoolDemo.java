package dev.spindle.cli.demo;

import dev.spindle.cli.WholeNumberConverter;
import com.sun.net.httpserver.HttpServer;
import dev.spindle.process.pool.AsyncResult;
import dev.spindle.process.pool.ProcessPool;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The seeds' process-pool examples (seeds 000, 002 and 004): {@code apply} one task at a time
 * against {@code applyAsync} with a callback, {@code map}, and the crawler that fetches pages in
 * workers and parses them in a callback in the parent, here against a local HTTP server.
 */
@Command(name = "pool", mixinStandardHelpOptions = true,
        description = "The seeds' Pool examples: apply vs applyAsync with a callback, map, and a crawler whose "
                + "workers fetch pages from a local server and whose callback parses them.")
final class PoolDemo implements Callable<Integer> {

    private static final Pattern TITLE = Pattern.compile("<title>(.*?)</title>");

    @Spec
    CommandSpec spec;

    @Option(names = "--workers", converter = WholeNumberConverter.Positive.class,
            description = "Worker processes (default: ${DEFAULT-VALUE}, as the seed's Pool(3)).", defaultValue = "3")
    int workers;

    @Option(names = "--tasks", converter = WholeNumberConverter.Positive.class,
            description = "Tasks in the apply and applyAsync rounds (default: ${DEFAULT-VALUE}).", defaultValue = "10")
    int tasks;

    @Option(names = "--sleep", description = "How long each task sleeps, as the seed's Foo (default: ${DEFAULT-VALUE}).",
            defaultValue = "200ms")
    Duration sleep;

    @Option(names = "--pages", converter = WholeNumberConverter.Positive.class,
            description = "Pages the crawler fetches (default: ${DEFAULT-VALUE}).", defaultValue = "5")
    int pages;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        long parent = ProcessHandle.current().pid();
        long millis = sleep.toMillis();
        try (ProcessPool pool = ProcessPool.create(workers)) {
            out.printf(Locale.ROOT, "A pool of %d worker processes; the parent is pid %d.%n", workers, parent);
            pool.apply(() -> 0); // the workers are up: the rounds below time the tasks, not JVM starts

            out.printf(Locale.ROOT, "%n1. apply: each call waits for its task, so %d tasks of %d ms run one at a time%n",
                    tasks, millis);
            long t0 = System.nanoTime();
            for (int i = 0; i < tasks; i++) {
                int n = i;
                int got = pool.apply(() -> foo(n, millis));
                out.printf(Locale.ROOT, "   apply(foo, %d) = %d%n", n, got);
            }
            double applySeconds = seconds(t0);
            out.printf(Locale.ROOT, "   %d tasks in %.2f s%n", tasks, applySeconds);

            out.printf(Locale.ROOT, "%n2. applyAsync with a callback: the tasks run %d at a time; each callback runs "
                    + "in the parent%n", workers);
            CountDownLatch called = new CountDownLatch(tasks);
            t0 = System.nanoTime();
            List<AsyncResult<Integer>> results = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                int n = i;
                results.add(pool.applyAsync(() -> foo(n, millis), value -> {
                    out.printf(Locale.ROOT, "   -->exec done: %d (callback in pid %d)%n", value,
                            ProcessHandle.current().pid());
                    called.countDown();
                }, error -> {
                    out.printf(Locale.ROOT, "   task failed: %s%n", error.getMessage());
                    called.countDown();
                }));
            }
            out.println("   end (every task submitted; none has finished yet)");
            for (AsyncResult<Integer> r : results) {
                r.get();
            }
            called.await();
            double asyncSeconds = seconds(t0);
            out.printf(Locale.ROOT, "   %d tasks in %.2f s: %.1f× faster than apply%n", tasks, asyncSeconds,
                    applySeconds / asyncSeconds);

            out.printf(Locale.ROOT, "%n3. map: squares of 0..9 computed in the workers: %s%n",
                    pool.map(x -> x * x, IntStream.range(0, 10).boxed().toList()));

            out.printf(Locale.ROOT, "%n4. crawler: workers fetch %d pages from a local server; a callback in the parent "
                    + "parses each%n", pages);
            crawl(pool, out, parent);
        }
        out.printf(Locale.ROOT, "%nThe pool was closed: its queued tasks finished and its workers exited.%n");
        return 0;
    }

    /** The seed's Foo: sleeps, then returns its argument plus 100. */
    static int foo(int n, long millis) throws InterruptedException {
        Thread.sleep(millis);
        return n + 100;
    }

    private void crawl(ProcessPool pool, PrintWriter out, long parent) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body = ("<html><head><title>Page " + path.substring(path.lastIndexOf('/') + 1)
                    + " of the local site</title></head><body>" + "lorem ipsum ".repeat(50) + "</body></html>")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/page/";
            CountDownLatch parsed = new CountDownLatch(pages);
            for (int i = 1; i <= pages; i++) {
                String url = base + i;
                pool.applyAsync(() -> fetch(url), page -> {
                    Matcher title = TITLE.matcher(page.get(1));
                    out.printf(Locale.ROOT, "   %s: \"%s\", %d bytes (fetched in pid %s, parsed in pid %d)%n",
                            page.get(0), title.find() ? title.group(1) : "no title", page.get(1).length(),
                            page.get(2), ProcessHandle.current().pid());
                    parsed.countDown();
                }, error -> {
                    out.printf(Locale.ROOT, "   %s failed: %s%n", url, error.getMessage());
                    parsed.countDown();
                });
            }
            parsed.await();
        } finally {
            server.stop(0);
        }
    }

    /** Runs in a worker: the seed's get_page. Returns the URL, the page and the worker's pid. */
    static List<String> fetch(String url) throws Exception {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return List.of(url, response.body(), Long.toString(ProcessHandle.current().pid()));
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
