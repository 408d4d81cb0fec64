package dev.spindle.net;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * Runs each connection as a {@link Protocol} on a {@link NioTransport}, spreading connections over
 * selector loops in turn: the event-loop model's runner. The loops are the server's own (stopped
 * with it) or a caller's {@link EventLoopGroup} (left running).
 */
final class LoopRunner implements StreamRunner<NioTransport> {

    private static final System.Logger LOG = System.getLogger(LoopRunner.class.getName());

    private final ServerContext context;
    private final EventLoop[] loops;
    private final boolean owned;
    private int next; // the accepting thread only

    LoopRunner(ServerContext context, EventLoop[] loops, boolean owned) {
        this.context = context;
        this.loops = loops;
        this.owned = owned;
    }

    @Override
    public NioTransport open(SocketChannel channel, long id) throws IOException {
        channel.configureBlocking(false);
        context.settings().applyOptions(channel);
        EventLoop loop = loops[next];
        next = (next + 1) % loops.length;
        return new NioTransport(id, channel, loop, context.newProtocol(channel.getRemoteAddress()), context.registry(),
                context.inputBudget(), context.counters(), context.settings().readTimeout);
    }

    @Override
    public void launch(NioTransport transport) {
        transport.loop().execute(transport::start);
    }

    @Override
    public void stopIntake() {
        // nothing queues: a connection goes to its loop when it is accepted
    }

    @Override
    public boolean stop(Deadline deadline) {
        if (!owned) {
            return true;
        }
        try {
            return EventLoop.stopAll(loops, deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops loops that never served, after a server failed to open. */
    static void stopQuietly(EventLoop[] loops) {
        try {
            if (!EventLoop.stopAll(loops, Deadline.afterNanos(TimeUnit.SECONDS.toNanos(1)))) {
                LOG.log(System.Logger.Level.WARNING, "an event loop did not stop within 1 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
