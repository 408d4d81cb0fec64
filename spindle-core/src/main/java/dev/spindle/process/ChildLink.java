package dev.spindle.process;

import dev.spindle.internal.Deadline;
import dev.spindle.process.wire.Caller;
import dev.spindle.process.wire.Peer;
import dev.spindle.process.wire.ServedObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * The parent's end of a child's link, served as object 0 on the child's {@link Peer}: the child
 * takes its task order from it and reports its {@link Outcome} to it, as envelopes like any other
 * call. A standby child asks for its task before it has one; the call waits until a
 * {@link Process} {@linkplain #assign assigns} one.
 */
final class ChildLink implements ServedObject {

    /** A call from the child: the reply is its {@link TaskOrder}. */
    static final byte TAKE_TASK = 1;
    /** A message from the child: it has decoded its task order. */
    static final byte GOT_TASK = 2;
    /** A message from the child: its {@link Outcome}. */
    static final byte OUTCOME = 3;

    private final CompletableFuture<byte[]> order = new CompletableFuture<>();
    /** Completes once the child has its task, or can never get it. */
    final CompletableFuture<Void> handedOver = new CompletableFuture<>();
    /** Completes with what the child reported, or with null when its link ended without a report. */
    final CompletableFuture<Outcome> outcome = new CompletableFuture<>();

    /** Gives the child its task (an encoded {@link TaskOrder}). */
    void assign(byte[] encodedOrder) {
        order.complete(encodedOrder);
    }

    @Override
    public byte[] call(Caller caller, byte op, ByteBuffer payload, Deadline deadline) throws Exception {
        if (op != TAKE_TASK) {
            throw new UnsupportedOperationException("a child's link takes no call " + op);
        }
        try {
            return deadline.get(order);
        } catch (java.util.concurrent.TimeoutException e) {
            return null;
        }
    }

    @Override
    public void oneWay(Caller caller, byte op, ByteBuffer payload) throws IOException {
        switch (op) {
            case GOT_TASK -> handedOver.complete(null);
            case OUTCOME -> {
                byte[] bytes = new byte[payload.remaining()];
                payload.get(bytes);
                outcome.complete(Outcome.decode(bytes));
            }
            default -> throw new UnsupportedOperationException("a child's link takes no message " + op);
        }
    }

    @Override
    public void peerEnded(Peer peer) {
        handedOver.complete(null);
        outcome.complete(null);
    }
}
