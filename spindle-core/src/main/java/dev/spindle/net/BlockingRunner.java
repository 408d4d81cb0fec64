package dev.spindle.net;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * Runs each connection's {@link ConnectionHandler} on a thread of the model's {@link Dispatcher}:
 * socketserver's {@code process_request} under every mix-in. A handler's exception, a framing
 * error or a timeout ends its own connection only.
 */
final class BlockingRunner implements StreamRunner<ChannelConnection> {

    /** The connection a handler thread is serving, so that shutdown from a handler skips waiting for itself. */
    private static final ThreadLocal<ChannelConnection> SERVING = new ThreadLocal<>();

    private final ServerContext context;
    private final Dispatcher dispatcher;

    BlockingRunner(ServerContext context, Dispatcher dispatcher) {
        this.context = context;
        this.dispatcher = dispatcher;
    }

    /** The connection the calling thread serves as a handler, of whichever server; {@code null} when none. */
    static LiveConnection servedByCurrentThread() {
        return SERVING.get();
    }

    @Override
    public ChannelConnection open(SocketChannel channel, long id) throws IOException {
        channel.configureBlocking(true);
        return new ChannelConnection(id, context.security().channel(channel, channel.getRemoteAddress()),
                context.settings(), context.counters(), context.inputBudget());
    }

    @Override
    public void launch(ChannelConnection connection) {
        dispatcher.dispatch(() -> serve(connection));
    }

    private void serve(ChannelConnection connection) {
        SERVING.set(connection);
        try {
            if (connection.closeReason() != CloseReason.NONE) {
                return; // closed by shutdown while it waited in a pool's queue
            }
            try {
                connection.handshake(context.security().handshakeTimeout());
            } catch (Throwable t) {
                failed(connection, t);
                return;
            }
            ConnectionHandler handler = context.handlers().get();
            try {
                handler.setup(connection);
            } catch (Throwable t) {
                failed(connection, t);
                return;
            }
            try {
                handler.handle(connection);
            } catch (Throwable t) {
                failed(connection, t);
            } finally {
                try {
                    handler.finish(connection);
                } catch (Throwable t) {
                    failed(connection, t);
                }
            }
            if (connection.refusal() != null) {
                failed(connection, connection.refusal()); // counted even when the handler swallowed it
            }
        } catch (Throwable t) {
            failed(connection, t); // the handler factory failed
        } finally {
            SERVING.remove();
            try {
                connection.close();
            } finally {
                context.registry().forget(connection);
            }
        }
    }

    /** Counts a handler's failure once per connection. */
    private void failed(ChannelConnection connection, Throwable t) {
        if (connection.markFailed()) {
            context.errors().count(connection, connection.closeReason(), connection.peerAddress(), t);
        }
    }

    @Override
    public void stopIntake() {
        dispatcher.shutdown();
    }

    @Override
    public boolean stop(Deadline deadline) {
        return true; // a handler's thread ends with its connection; the pool's, once told to stop intake
    }
}
