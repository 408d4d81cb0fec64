package dev.spindle.net;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Accepts on a {@link ServerSocketChannel}, TCP or Unix-domain, watched by a selector of its own,
 * and hands each connection to a {@link StreamRunner}: the acceptor of every model but ASYNC.
 *
 * <p>Under {@link WhenFull#WAIT} it takes a permit before it accepts; while none is free it
 * selects without accept interest, and the connection that frees one wakes it.
 */
final class SelectorAcceptor extends Acceptor {

    private static final int ACCEPT_BATCH = 64;

    private final ServerSocketChannel listener;
    private final Selector selector;
    private final SelectionKey key;
    private final SocketAddress localAddress;
    /** The socket file to remove when the listener closes; null for TCP. */
    private final Path unixSocketFile;
    private final StreamRunner<?> runner;
    private final Runnable wake;

    private SelectorAcceptor(ServerContext context, ServerSocketChannel listener, Selector selector,
                             StreamRunner<?> runner) throws IOException {
        super(context);
        this.listener = listener;
        this.selector = selector;
        this.key = listener.register(selector, SelectionKey.OP_ACCEPT);
        this.localAddress = listener.getLocalAddress();
        this.unixSocketFile = localAddress instanceof UnixDomainSocketAddress u ? u.getPath() : null;
        this.runner = runner;
        this.wake = selector::wakeup;
    }

    /**
     * Binds a listener at {@code spec}'s address. If binding fails, {@code runner} is stopped.
     *
     * @throws java.net.BindException naming the address and what to do, when it cannot be bound
     */
    static SelectorAcceptor open(ListenSpec spec, ServerContext context, StreamRunner<?> runner) throws IOException {
        boolean unix = spec.address() instanceof UnixDomainSocketAddress;
        ServerSocketChannel channel = null;
        Selector selector = null;
        try {
            channel = unix ? ServerSocketChannel.open(StandardProtocolFamily.UNIX) : ServerSocketChannel.open();
            if (unix) {
                if (spec.reuseAddress()) {
                    StaleSocketFile.removeIfDead(((UnixDomainSocketAddress) spec.address()).getPath(), path -> {
                        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                            // someone listens: leave the file
                        }
                    });
                }
            } else {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, spec.reuseAddress());
                if (spec.reusePort()) {
                    if (!channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                        throw new UnsupportedOperationException("SO_REUSEPORT is not supported on this platform");
                    }
                    channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                }
            }
            try {
                channel.bind(spec.address(), spec.backlog());
            } catch (IOException e) {
                throw BindFailure.explain(spec.address(), e);
            }
            channel.configureBlocking(false);
            selector = Selector.open();
            return new SelectorAcceptor(context, channel, selector, runner);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                ConnectionRegistry.closeQuietly(channel);
            }
            if (selector != null) {
                selector.close();
            }
            runner.stopIntake();
            runner.stop(Deadline.afterNanos(java.util.concurrent.TimeUnit.SECONDS.toNanos(1)));
            throw e;
        }
    }

    @Override
    SocketAddress localAddress() {
        return localAddress;
    }

    @Override
    void serveUntil(Deadline until) throws IOException {
        try {
            while (!isClosed() && !until.hasExpired()) {
                boolean ready = context.registry().readyToAccept(wake);
                select(ready, until);
                for (int i = 0; ready && i < ACCEPT_BATCH && !isClosed() && acceptNext(); i++) {
                    // SYNC serves inside acceptNext; the other models only hand the connection over
                    ready = context.registry().readyToAccept(wake);
                }
            }
        } catch (ClosedSelectorException e) {
            // closed by shutdown while selecting
        }
    }

    @Override
    boolean acceptOne(Deadline deadline) throws IOException {
        try {
            while (!isClosed()) {
                boolean ready = context.registry().readyToAccept(wake);
                if (ready && acceptNext()) {
                    return true;
                }
                if (deadline.hasExpired()) {
                    return false;
                }
                select(ready, deadline);
            }
        } catch (ClosedSelectorException e) {
            // closed by shutdown while selecting
        }
        return false;
    }

    /** Waits until a connection is pending (when {@code ready}), a permit frees, or the deadline passes. */
    private void select(boolean ready, Deadline until) throws IOException {
        int interest = ready ? SelectionKey.OP_ACCEPT : 0;
        if (key.interestOps() != interest) {
            key.interestOps(interest);
        }
        selector.select(until.selectMillis());
        selector.selectedKeys().clear();
    }

    /** Accepts one pending connection, if any, and admits or refuses it. */
    private boolean acceptNext() {
        SocketChannel channel;
        try {
            channel = listener.accept();
        } catch (ClosedChannelException e) {
            return false;
        } catch (IOException e) {
            acceptFailed(e);
            return false;
        }
        if (channel == null) {
            return false;
        }
        accepted();
        context.registry().admit(channel, peerOf(channel), channel::shutdownOutput, runner);
        return true;
    }

    /**
     * A selector may be closed while another thread selects on it (that select returns), and
     * closing it is what deregisters the listener and so releases its port.
     */
    @Override
    void closeChannel() {
        ConnectionRegistry.closeQuietly(listener);
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
        if (unixSocketFile != null) {
            try {
                Files.deleteIfExists(unixSocketFile);
            } catch (IOException e) {
                context.log().log(System.Logger.Level.WARNING,
                        context.name() + ": could not remove " + unixSocketFile + ": " + e, null);
            }
        }
    }

    @Override
    void stopIntake() {
        runner.stopIntake();
    }

    @Override
    boolean stop(Deadline deadline) {
        return runner.stop(deadline);
    }

    private static SocketAddress peerOf(SocketChannel channel) {
        try {
            return channel.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }
}
