package dev.spindle.net;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An echo server for a child JVM started under a small {@code ulimit -n}: prints its port, answers
 * "failures" on stdin with how many accepts have failed, and stops when stdin closes. With the
 * argument {@code exhaust} it first uses up all but one file descriptor, which accepting takes.
 */
public final class FdLimitedEchoServer {
    private FdLimitedEchoServer() {
    }

    /** Where the accepting thread is, for the test's failure message. */
    private static String acceptingThreadState(StreamServer server) {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().equals(server.name() + "-accept"))
                .map(e -> e.getKey().getState() + " at " + java.util.Arrays.toString(
                        java.util.Arrays.copyOf(e.getValue(), Math.min(6, e.getValue().length))))
                .findFirst().orElse("no accepting thread");
    }

    public static void main(String[] args) throws Exception {
        AtomicInteger acceptFailures = new AtomicInteger();
        try (StreamServer server = StreamServer.builder()
                .handler(Handlers.ECHO)
                .onError((peer, error) -> {
                    if (peer == null) {
                        acceptFailures.incrementAndGet();
                    } else {
                        error.printStackTrace();
                    }
                })
                .open()) {
            server.start();
            java.util.List<java.nio.channels.FileChannel> hoard = new java.util.ArrayList<>();
            if (args.length > 0 && args[0].equals("exhaust")) {
                // Use up every descriptor but one, before any handler has blocked on a socket.
                try {
                    while (true) {
                        hoard.add(java.nio.channels.FileChannel.open(java.nio.file.Path.of("/dev/null")));
                    }
                } catch (java.io.IOException expected) {
                    for (int i = 0; i < 1; i++) {
                        hoard.remove(hoard.size() - 1).close();
                    }
                }
            }
            System.out.println("port " + server.port());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("failures")) {
                    System.out.println("failures " + acceptFailures.get() + " " + server.stats() + " accepting: "
                            + acceptingThreadState(server));
                }
            }
        }
    }
}
