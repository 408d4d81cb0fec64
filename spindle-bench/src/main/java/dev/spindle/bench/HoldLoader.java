package dev.spindle.bench;

import dev.spindle.net.EventLoopGroup;
import dev.spindle.net.Protocol;
import dev.spindle.net.Transport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One load process of the hold benchmark: opens {@code COUNT} connections from source address
 * {@code SOURCE} (spreading them over more ephemeral ports than one address has), then pings each
 * every {@code PING} seconds with 8 bytes and checks that the echo comes back. Prints
 * {@code connected N}, then, when stdin says {@code stop}, {@code done pings P pongs Q lost L}
 * (L: connections that ended before the stop) and exits.
 *
 * <p>Usage: {@code HoldLoader HOST PORT COUNT SOURCE PING_SECONDS}.
 */
public final class HoldLoader {

    private HoldLoader() {
    }

    /** Counts the echo; a connection that ends before the stop is lost. */
    private static final class Pinged implements Protocol {
        private final LongAdder pongBytes;
        private final LongAdder lost;
        volatile Transport transport;
        volatile boolean stopping;

        Pinged(LongAdder pongBytes, LongAdder lost) {
            this.pongBytes = pongBytes;
            this.lost = lost;
        }

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            pongBytes.add(data.remaining());
            data.position(data.limit());
        }

        @Override
        public void connectionLost(Throwable cause) {
            if (!stopping) {
                lost.increment();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress server = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int count = Integer.parseInt(args[2]);
        String source = args[3];
        long pingNanos = TimeUnit.SECONDS.toNanos(Integer.parseInt(args[4]));
        LongAdder pongBytes = new LongAdder();
        LongAdder lost = new LongAdder();
        AtomicLong pings = new AtomicLong();
        List<Pinged> connections = new ArrayList<>(count);
        try (EventLoopGroup loops = EventLoopGroup.open(1, "hold-" + source)) {
            for (int i = 0; i < count; i++) {
                Pinged p = new Pinged(pongBytes, lost);
                loops.connect(server, new InetSocketAddress(source, 0), p);
                connections.add(p);
            }
            System.out.println("connected " + count);
            System.out.flush();
            Thread pinger = Thread.ofPlatform().name("hold-pinger").daemon(true).start(() -> {
                ByteBuffer ping = ByteBuffer.allocate(8);
                long next = System.nanoTime();
                while (!Thread.currentThread().isInterrupted()) {
                    for (Pinged p : connections) {
                        Transport t = p.transport;
                        if (t != null && !t.isClosing()) {
                            t.write(ping.clear());
                            pings.incrementAndGet();
                        }
                    }
                    next += pingNanos;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        try {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            });
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.equals("stop")) {
                // wait for the runner
            }
            pinger.interrupt();
            pinger.join(10_000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (pongBytes.sum() < pings.get() * 8 && System.nanoTime() < deadline) {
                Thread.sleep(50); // the last pings' echoes
            }
            connections.forEach(p -> p.stopping = true);
            System.out.println("done pings " + pings.get() + " pongs " + pongBytes.sum() / 8 + " lost " + lost.sum());
            System.out.flush();
        } catch (IOException e) {
            System.out.println("failed " + e);
            System.out.flush();
            throw e;
        }
    }
}
