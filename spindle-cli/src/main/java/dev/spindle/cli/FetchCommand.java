package dev.spindle.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spindle.sync.Task;
import dev.spindle.sync.TaskGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;

/**
 * {@code spindle fetch}: the seeds' gevent crawler (seed 002: {@code urlopen} in greenlets under
 * {@code joinall}), with the JDK's {@link HttpClient} and each URL on a virtual thread of a
 * {@link TaskGroup}. A URL is done when its whole body has arrived; one still running at the
 * deadline is cancelled and listed as late, never waited for; one that fails is reported and
 * stops nothing else.
 *
 * <p>Exit code 0 when every URL answered (any HTTP status), 1 when one failed or was late.
 */
@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = {"Fetches URLs at once: status, bytes and time of each, as each finishes.",
                "URLs still running at the deadline are cancelled and listed; a failing URL stops no other.",
                "Exit code 0 when every URL answered (any HTTP status), 1 when one failed or was late."})
final class FetchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "URL", description = "http:// or https:// URLs.")
    List<String> urls;

    @Option(names = "--concurrency", paramLabel = "N", converter = WholeNumberConverter.Positive.class,
            defaultValue = "10", description = "Requests in flight at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--deadline", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "10s",
            description = "How long the whole fetch may take; URLs still running then are cancelled (default: ${DEFAULT-VALUE}).")
    Duration deadline;

    @Option(names = "--json", description = "Print one JSON object at the end instead of lines.")
    boolean json;

    /** One URL's outcome: its answer, or why there is none. A failure is an answer, so it cancels nothing. */
    private record Fetched(String url, int status, long bytes, long millis, String failure) {
        boolean answered() {
            return failure == null;
        }
    }

    @Override
    public Integer call() throws Exception {
        List<URI> targets = new ArrayList<>();
        for (String url : urls) {
            targets.add(parse(url));
        }
        PrintWriter out = spec.commandLine().getOut();
        Semaphore slots = new Semaphore(concurrency);
        List<Task<Fetched>> tasks = new ArrayList<>();
        long start = System.nanoTime();
        // No timeout of the client's own: at the deadline the group interrupts every send still
        // running, which cancels its exchange, so that a URL is late, never failed, for lack of time.
        try (HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
             TaskGroup group = TaskGroup.open("fetch")) {
            for (URI target : targets) {
                tasks.add(group.spawn(() -> {
                    slots.acquire();
                    try {
                        Fetched f = fetch(http, target);
                        if (!json) {
                            print(out, f);
                        }
                        return f;
                    } finally {
                        slots.release();
                    }
                }));
            }
            group.joinAll(deadline);
        } // closing the group cancels what still runs: an interrupted send() abandons its exchange
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        List<Fetched> done = new ArrayList<>();
        List<String> late = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            Fetched f = tasks.get(i).value().orElse(null);
            if (f == null) {
                late.add(targets.get(i).toString());
            } else {
                done.add(f);
            }
        }
        long answered = done.stream().filter(Fetched::answered).count();
        if (json) {
            printJson(out, done, late, elapsedMillis);
        } else {
            if (!late.isEmpty()) {
                out.println("past the deadline (" + deadline + "), cancelled: " + String.join(", ", late));
            }
            out.printf(Locale.ROOT, "%d of %d URLs answered, %d failed, %d late, in %.2f s%n", answered, targets.size(),
                    done.size() - answered, late.size(), elapsedMillis / 1000.0);
        }
        out.flush();
        return answered == targets.size() ? 0 : 1;
    }

    /** Sends one request and counts its body as it arrives, without keeping it. */
    private static Fetched fetch(HttpClient http, URI target) throws InterruptedException {
        long began = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(target).GET().build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            long bytes;
            try (InputStream body = response.body()) {
                bytes = body.transferTo(OutputStream.nullOutputStream());
            }
            return new Fetched(target.toString(), response.statusCode(), bytes, millisSince(began), null);
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("cancelled at the deadline"); // late, not failed
            }
            return new Fetched(target.toString(), 0, 0, millisSince(began), describe(e));
        }
    }

    private static String describe(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
                return "no such host";
            }
        }
        if (e instanceof ConnectException || e.getCause() instanceof ConnectException) {
            return "connection refused";
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    private void print(PrintWriter out, Fetched f) {
        String line = f.answered()
                ? String.format(Locale.ROOT, "%s: %d, %,d bytes in %d ms", f.url(), f.status(), f.bytes(), f.millis())
                : String.format(Locale.ROOT, "%s: failed after %d ms: %s", f.url(), f.millis(), f.failure());
        out.println(line); // whole: PrintWriter.println holds its lock for the line and its end
        out.flush();
    }

    private void printJson(PrintWriter out, List<Fetched> done, List<String> late, long elapsedMillis) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode result = mapper.createObjectNode();
        ArrayNode answers = result.putArray("urls");
        for (Fetched f : done) {
            ObjectNode node = answers.addObject().put("url", f.url()).put("millis", f.millis());
            if (f.answered()) {
                node.put("status", f.status()).put("bytes", f.bytes());
            } else {
                node.put("failure", f.failure());
            }
        }
        result.putPOJO("late", late);
        result.put("deadlineMillis", deadline.toMillis()).put("elapsedMillis", elapsedMillis);
        out.println(mapper.writeValueAsString(result));
    }

    /** The URL as a URI, or a usage error that names it and says what a URL here must be. */
    private URI parse(String url) {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new ParameterException(spec.commandLine(), "'" + url + "' is not an http:// or https:// URL"
                        + (uri.getScheme() == null ? "; add the scheme, e.g. http://" + url : ""));
            }
            if (uri.getHost() == null && uri.getRawAuthority() != null) {
                uri = withAsciiHost(uri, url);
            }
            if (uri.getHost() == null) {
                throw new ParameterException(spec.commandLine(), "'" + url + "' names no host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ParameterException(spec.commandLine(), "'" + url + "' is not a URL: " + e.getReason()
                    + " at character " + (e.getIndex() + 1));
        }
    }

    /**
     * The URL with its host in ASCII (IDNA, as a browser sends it): {@link URI} leaves a host such as
     * {@code bücher.example} unparsed, so that it would seem to have none.
     */
    private URI withAsciiHost(URI uri, String url) throws URISyntaxException {
        String authority = uri.getAuthority();
        int at = authority.lastIndexOf('@');
        String userInfo = at < 0 ? null : authority.substring(0, at);
        String hostAndPort = authority.substring(at + 1);
        int colon = hostAndPort.lastIndexOf(':');
        int port = -1;
        String host = hostAndPort;
        if (colon >= 0 && colon + 1 < hostAndPort.length() && hostAndPort.substring(colon + 1).chars().allMatch(Character::isDigit)) {
            port = Integer.parseInt(hostAndPort.substring(colon + 1));
            host = hostAndPort.substring(0, colon);
        }
        try {
            return new URI(uri.getScheme(), userInfo, java.net.IDN.toASCII(host, java.net.IDN.ALLOW_UNASSIGNED), port,
                    uri.getPath(), uri.getQuery(), uri.getFragment());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "'" + url + "' names a host that is not a valid "
                    + "international domain name: " + e.getMessage());
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
