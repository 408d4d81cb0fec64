package dev.spindle.net;

import dev.spindle.internal.Deadline;

import java.nio.channels.SocketChannel;

/**
 * How a model runs the stream connections a {@link SelectorAcceptor} accepts: a blocking handler
 * on a thread ({@link BlockingRunner}), or a protocol on a selector loop ({@link LoopRunner}).
 */
interface StreamRunner<L extends LiveConnection> extends ConnectionRegistry.Starter<SocketChannel, L> {

    /** Stops taking connections; those taken still run. */
    void stopIntake();

    /**
     * Releases the runner's threads once the connections have ended.
     *
     * @return whether they stopped before the deadline
     */
    boolean stop(Deadline deadline);
}
