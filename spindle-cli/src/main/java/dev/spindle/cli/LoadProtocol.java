package dev.spindle.cli;

import dev.spindle.net.Protocol;
import dev.spindle.net.Transport;

import java.nio.ByteBuffer;

/**
 * One load connection: keeps {@code depth} messages in flight (1: ping-pong), checks every byte
 * that comes back against what was sent, and records each message's round trip. Runs on an
 * event loop; allocates nothing per message.
 */
final class LoadProtocol implements Protocol {

    private final int id;
    private final LoadRun run;
    private final ByteBuffer outgoing;
    private final byte[] sentPattern;
    private final byte[] expectedPattern;
    private final long[] sentAt;
    private Transport transport;
    private long sent;
    private long receivedMessage;
    private int receivedIndex;
    private long completed;
    private int inFlight;

    LoadProtocol(int id, LoadRun run) {
        this.id = id;
        this.run = run;
        this.outgoing = ByteBuffer.allocate(run.size);
        this.sentPattern = run.sentPattern();
        this.expectedPattern = run.expectedPattern();
        this.sentAt = new long[run.depth];
    }

    long completed() {
        return completed;
    }

    @Override
    public void connectionMade(Transport transport) {
        this.transport = transport;
    }

    /**
     * Sends the first {@code depth} messages, from the command's thread once every connection is
     * open: traffic on early connections would otherwise starve a busy server's accepting and
     * make the connect phase part of the measurement. Everything here happens before the write
     * hands the bytes to the loop, which is the only thread that touches this object afterwards.
     */
    void start(Transport transport) {
        this.transport = transport;
        ByteBuffer first = ByteBuffer.allocate(run.size * run.depth);
        for (int i = 0; i < run.depth; i++) {
            first.put(sentPattern, LoadRun.offset(id, sent), run.size);
            sentAt[(int) (sent % run.depth)] = System.nanoTime();
            sent++;
            inFlight++;
            run.inFlight.increment();
        }
        transport.write(first.flip());
    }

    private void sendNext() {
        if (!run.sending() || transport.isClosing()) {
            return;
        }
        outgoing.clear();
        outgoing.put(sentPattern, LoadRun.offset(id, sent), run.size);
        sentAt[(int) (sent % run.depth)] = System.nanoTime();
        sent++;
        inFlight++;
        run.inFlight.increment();
        transport.write(outgoing.flip());
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        int size = run.size;
        while (data.hasRemaining()) {
            int base = LoadRun.offset(id, receivedMessage);
            int n = Math.min(data.remaining(), size - receivedIndex);
            int at = data.position();
            for (int k = 0; k < n; k++) {
                byte got = data.get(at + k);
                byte expected = expectedPattern[base + receivedIndex + k];
                if (got != expected) {
                    run.mismatches.increment();
                    run.problem("connection " + id + ", message " + receivedMessage + ", byte " + (receivedIndex + k)
                            + ": expected " + (char) expected + " got " + (got & 0xff));
                    transport.abort();
                    return;
                }
            }
            data.position(at + n);
            receivedIndex += n;
            if (receivedIndex == size) {
                run.completed(System.nanoTime() - sentAt[(int) (receivedMessage % run.depth)]);
                receivedMessage++;
                receivedIndex = 0;
                completed++;
                inFlight--;
                run.inFlight.decrement();
                sendNext();
            }
        }
    }

    @Override
    public void connectionLost(Throwable cause) {
        run.inFlight.add(-inFlight);
        inFlight = 0;
        if (run.sending()) {
            run.failedConnections.increment();
            run.problem("connection " + id + " lost" + (cause == null ? " (closed by the server)" : ": " + cause));
        }
    }
}
