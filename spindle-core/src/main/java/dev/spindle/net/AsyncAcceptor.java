package dev.spindle.net;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AcceptPendingException;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.ShutdownChannelGroupException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The ASYNC model's acceptor: an {@link AsynchronousServerSocketChannel} on a channel group of the
 * server's own, one accept pending at a time, each connection an {@link AsyncTransport}. The
 * accepting thread only waits; the group's threads accept.
 *
 * <p>Under {@link WhenFull#WAIT} no accept is pending while the server is full; the connection
 * that frees a permit arms the next one.
 */
final class AsyncAcceptor extends Acceptor
        implements ConnectionRegistry.Starter<AsynchronousSocketChannel, AsyncTransport> {

    private final AsynchronousChannelGroup group;
    private final AsynchronousServerSocketChannel listener;
    private final SocketAddress localAddress;
    private final AtomicBoolean armed = new AtomicBoolean();
    private final Runnable arm = this::arm;

    private final CompletionHandler<AsynchronousSocketChannel, Void> onAccept = new CompletionHandler<>() {
        @Override
        public void completed(AsynchronousSocketChannel channel, Void unused) {
            armed.set(false);
            accepted();
            SocketAddress peer;
            try {
                peer = channel.getRemoteAddress();
            } catch (IOException e) {
                peer = null;
            }
            // Admit first: it takes the permit reserved for this connection, which the next arm would see as its own.
            context.registry().admit(channel, peer, channel::shutdownOutput, AsyncAcceptor.this);
            arm();
        }

        @Override
        public void failed(Throwable t, Void unused) {
            armed.set(false);
            if (isClosed()) {
                return;
            }
            if (t instanceof IOException e) {
                acceptFailed(e); // parks this group thread for the back-off
            } else {
                context.errors().report(null, t);
            }
            arm();
        }
    };

    private AsyncAcceptor(ServerContext context, AsynchronousChannelGroup group,
                          AsynchronousServerSocketChannel listener) throws IOException {
        super(context);
        this.group = group;
        this.listener = listener;
        this.localAddress = listener.getLocalAddress();
    }

    static AsyncAcceptor open(ListenSpec spec, ServerContext context, int threads) throws IOException {
        if (spec.address() instanceof UnixDomainSocketAddress) {
            throw new IllegalArgumentException("the async model serves TCP only: the JDK has no asynchronous "
                    + "Unix-domain channel; choose the event-loop model for " + spec.address());
        }
        AsynchronousChannelGroup group = AsynchronousChannelGroup.withFixedThreadPool(threads,
                Thread.ofPlatform().name(context.name() + "-async-", 1).daemon(true).factory());
        AsynchronousServerSocketChannel channel = null;
        try {
            channel = AsynchronousServerSocketChannel.open(group);
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, spec.reuseAddress());
            if (spec.reusePort()) {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            try {
                channel.bind(spec.address(), spec.backlog());
            } catch (IOException e) {
                throw BindFailure.explain(spec.address(), e);
            }
            return new AsyncAcceptor(context, group, channel);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                ConnectionRegistry.closeQuietly(channel);
            }
            group.shutdownNow();
            throw e;
        }
    }

    @Override
    SocketAddress localAddress() {
        return localAddress;
    }

    /** Arms the accept, then waits: the group's threads accept. */
    @Override
    void serveUntil(Deadline until) {
        arm();
        awaitClosed(until);
    }

    @Override
    boolean acceptOne(Deadline deadline) {
        throw new UnsupportedOperationException("handleRequest is not available under the async model: an "
                + "asynchronous accept cannot be abandoned without closing the listener; use serveForever or start");
    }

    /** Starts the one pending accept, unless one is pending, the listener is closed, or the server is full. */
    private void arm() {
        if (isClosed() || !armed.compareAndSet(false, true)) {
            return;
        }
        if (!context.registry().readyToAccept(arm)) {
            armed.set(false);
            // A permit freed while armed was still set ran arm() for nothing: ask once more.
            if (context.registry().readyToAccept(arm)) {
                arm();
            }
            return;
        }
        try {
            listener.accept(null, onAccept);
        } catch (ShutdownChannelGroupException e) {
            armed.set(false); // closing: nothing more to accept
        } catch (AcceptPendingException e) {
            throw new IllegalStateException("an accept is already pending on " + context.name(), e);
        }
    }

    @Override
    public AsyncTransport open(AsynchronousSocketChannel channel, long id) throws IOException {
        context.settings().applyOptions(channel);
        return new AsyncTransport(id, channel, context.newProtocol(channel.getRemoteAddress()), context.counters(),
                context.registry(),
                context.settings().readTimeout.toNanos(), context.inputBudget());
    }

    @Override
    public void launch(AsyncTransport transport) {
        transport.start();
    }

    @Override
    void closeChannel() {
        ConnectionRegistry.closeQuietly(listener);
    }

    @Override
    void stopIntake() {
        // the listener is closed: no accept completes after it
    }

    @Override
    boolean stop(Deadline deadline) {
        try {
            group.shutdownNow();
            return group.awaitTermination(Math.max(0, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
        } catch (IOException e) {
            context.log().log(System.Logger.Level.WARNING,
                    context.name() + ": closing the async channel group failed: " + e, null);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
