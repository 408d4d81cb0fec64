package dev.spindle.net;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An echo server for a child JVM started under a small {@code ulimit -n}: prints its port, then
 * answers on stdin "failures" with how many accepts have failed ({@link ServerStats#acceptFailures()})
 * and "handler" with where the latest handler's thread is, and stops when stdin closes. The server
 * logs as it does by default, to stderr. With the argument {@code exhaust} it first uses up all but
 * one file descriptor, which accepting takes.
 */
public final class FdLimitedEchoServer {
    private FdLimitedEchoServer() {
    }

    /** Where the accepting thread is, for the test's failure message. */
    private static String acceptingThreadState(StreamServer server) {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().equals(server.name() + "-accept"))
                .map(e -> e.getKey().getState() + " at " + Arrays.toString(
                        Arrays.copyOf(e.getValue(), Math.min(6, e.getValue().length))))
                .findFirst().orElse("no accepting thread");
    }

    /** "blocked-in-read" when the thread waits in a connection's read, else its state. */
    private static String handlerState(Thread thread) {
        if (thread == null) {
            return "none";
        }
        boolean inRead = Arrays.stream(thread.getStackTrace())
                .anyMatch(f -> f.getClassName().equals(ChannelConnection.class.getName()));
        return thread.getState() == Thread.State.WAITING && inRead ? "blocked-in-read" : thread.getState().toString();
    }

    public static void main(String[] args) throws Exception {
        AtomicReference<Thread> handlerThread = new AtomicReference<>();
        ConnectionHandler echo = Handlers.ECHO; // loaded now: with no descriptor free, no class can be
        try (StreamServer server = StreamServer.builder()
                .handler(connection -> {
                    handlerThread.set(Thread.currentThread());
                    echo.handle(connection);
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
                    hoard.remove(hoard.size() - 1).close();
                }
            }
            System.out.println("port " + server.port());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("failures")) {
                    System.out.println("failures " + server.stats().acceptFailures() + " " + server.stats()
                            + " accepting: " + acceptingThreadState(server));
                } else if (line.equals("handler")) {
                    System.out.println("handler " + handlerState(handlerThread.get()));
                }
            }
        }
    }
}
