package org.example.echo;

import dev.spindle.net.Client;
import dev.spindle.net.Connection;
import dev.spindle.net.StreamServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** An echo server and a client of it, in one program that depends on Spindle like any other. */
public final class EchoExample {

    private EchoExample() {
    }

    /** Prints what came back for the arguments, or for "hello, spindle" without any. */
    public static void main(String[] args) throws Exception {
        System.out.println(roundTrip(args.length == 0 ? "hello, spindle" : String.join(" ", args)));
    }

    /**
     * Starts an echo server on a free port of the loopback address, sends {@code message} to it
     * with a client, and returns the reply; the server is shut down before this returns.
     */
    public static String roundTrip(String message) throws Exception {
        byte[] sent = message.getBytes(StandardCharsets.UTF_8);
        try (StreamServer server = StreamServer.builder()
                .bind("127.0.0.1", 0)
                .handler(connection -> {
                    byte[] data;
                    while ((data = connection.recv(8192)).length > 0) {
                        connection.sendAll(data);
                    }
                })
                .open()) {
            server.start();
            try (Connection client = Client.connect("127.0.0.1", server.port(), Duration.ofSeconds(5))) {
                client.sendAll(sent);
                return new String(client.recvExactly(sent.length), StandardCharsets.UTF_8);
            }
        }
    }
}
