package dev.spindle.net;

import dev.spindle.process.PipeConnection;

import java.io.IOException;
import java.time.Duration;

/**
 * The worker side of the process model, in a child JVM: serves {@link WorkerSpec} on the shared
 * port, reports its stats to the parent over a pipe (the first report says it is listening), and
 * shuts down with the grace the parent sends, or at once when the parent is gone.
 */
final class ProcessWorker {

    /** How often a worker reports its counters. */
    static final Duration REPORT_EVERY = Duration.ofMillis(200);

    private ProcessWorker() {
    }

    static void serve(WorkerSpec spec, String name, PipeConnection parent) throws IOException {
        try (StreamServer server = spec.open(name)) {
            server.start();
            parent.send(server.stats()); // listening
            Thread reporter = Thread.ofPlatform().name(name + "-report").daemon(true).start(() -> report(server, parent));
            Duration grace;
            try {
                grace = (Duration) parent.recv();
            } catch (IOException parentGone) {
                grace = Duration.ZERO;
            }
            server.shutdown(grace);
            reporter.interrupt();
            try {
                reporter.join(REPORT_EVERY.toMillis() * 5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                parent.send(server.stats()); // the last word: the counters the parent keeps once this worker is gone
            } catch (IOException parentGone) {
                // nobody to tell
            }
        }
    }

    private static void report(StreamServer server, PipeConnection parent) {
        try {
            while (server.state() != StreamServer.State.CLOSED) {
                Thread.sleep(REPORT_EVERY);
                parent.send(server.stats());
            }
        } catch (InterruptedException | IOException e) {
            // stopping, or the parent is gone
        }
    }
}
