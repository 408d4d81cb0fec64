package dev.spindle.net;

import java.io.IOException;

/** The select/epoll model: {@link Protocol}s on selector loops of the server's own or on a caller's group. */
final class EventLoopModel extends Model {

    private final int loops;
    /** The caller's loops, shared and not stopped by the server; null when each server starts its own. */
    private final EventLoopGroup group;

    EventLoopModel(int loops, EventLoopGroup group) {
        if (loops < 1) {
            throw new IllegalArgumentException("an event-loop model needs at least one loop, got " + loops);
        }
        this.loops = loops;
        this.group = group;
    }

    @Override
    public String name() {
        return "event-loop";
    }

    @Override
    public int threads() {
        return loops;
    }

    @Override
    public Model withThreads(int threads) {
        if (group != null) {
            return super.withThreads(threads);
        }
        return new EventLoopModel(threads, null);
    }

    @Override
    boolean nonBlocking() {
        return true;
    }

    @Override
    Acceptor listen(ListenSpec spec, ServerContext context) throws IOException {
        EventLoop[] own = group == null ? EventLoop.startAll(context.name(), loops, context.counters()) : null;
        try {
            return SelectorAcceptor.open(spec, context,
                    new LoopRunner(context, own != null ? own : group.loops(), own != null));
        } catch (IOException | RuntimeException e) {
            if (own != null) {
                LoopRunner.stopQuietly(own);
            }
            throw e;
        }
    }

    /** Each loop is a socket of its own on the same port, whose thread runs the handler. */
    @Override
    Dispatcher datagramDispatcher(String serverName) {
        return Dispatcher.INLINE;
    }

    @Override
    int datagramReceivers() {
        return loops;
    }

    @Override
    public String toString() {
        return "event-loop(" + loops + (group != null ? ", shared" : "") + ")";
    }
}
