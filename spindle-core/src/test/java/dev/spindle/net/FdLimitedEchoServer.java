package dev.spindle.net;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An echo server for a child JVM started under a small {@code ulimit -n}: prints its port, answers
 * "failures" on stdin with how many accepts have failed, and stops when stdin closes.
 */
public final class FdLimitedEchoServer {
    private FdLimitedEchoServer() {
    }

    public static void main(String[] args) throws Exception {
        AtomicInteger acceptFailures = new AtomicInteger();
        try (StreamServer server = StreamServer.builder()
                .handler(Handlers.ECHO)
                .onError((peer, error) -> {
                    if (peer == null) {
                        acceptFailures.incrementAndGet();
                    }
                })
                .open()) {
            server.start();
            System.out.println("port " + server.port());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("failures")) {
                    System.out.println("failures " + acceptFailures.get() + " active " + server.stats().active());
                }
            }
        }
    }
}
