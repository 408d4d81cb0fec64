package dev.spindle.net;

import java.io.IOException;
import java.util.function.Function;

/**
 * The models that run a blocking {@link ConnectionHandler} on a thread: sync, thread, pool,
 * virtual. They differ only in the {@link Dispatcher} a server gets and in how many connections
 * it can hold.
 */
final class BlockingModel extends Model {

    private final String name;
    private final int threads;
    private final int queueCapacity;
    /** Makes a server's dispatcher from the server's name, the prefix of its threads' names. */
    private final Function<String, Dispatcher> dispatchers;

    private BlockingModel(String name, int threads, int queueCapacity, Function<String, Dispatcher> dispatchers) {
        this.name = name;
        this.threads = threads;
        this.queueCapacity = queueCapacity;
        this.dispatchers = dispatchers;
    }

    static BlockingModel sync() {
        return new BlockingModel("sync", 0, 0, serverName -> Dispatcher.INLINE);
    }

    static BlockingModel thread() {
        return new BlockingModel("thread", 0, 0, serverName -> Dispatcher.threadPerTask(
                Thread.ofPlatform().name(serverName + "-conn-", 1).daemon(true).factory()));
    }

    static BlockingModel virtual() {
        return new BlockingModel("virtual", 0, 0, serverName -> {
            VirtualThreadPoller.start();
            return Dispatcher.threadPerTask(Thread.ofVirtual().name(serverName + "-conn-", 1).factory());
        });
    }

    static BlockingModel ofPool(int threads, int queueCapacity) {
        if (threads < 1) {
            throw new IllegalArgumentException("a pool needs at least one thread, got " + threads);
        }
        if (queueCapacity < 0) {
            throw new IllegalArgumentException("queue capacity must be zero or positive, got " + queueCapacity);
        }
        return new BlockingModel("pool", threads, queueCapacity, serverName -> Dispatcher.pool(threads,
                Thread.ofPlatform().name(serverName + "-pool-", 1).daemon(true).factory()));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    public int queueCapacity() {
        return queueCapacity;
    }

    @Override
    public Model withThreads(int threads) {
        return isPool() ? ofPool(threads, queueCapacity) : super.withThreads(threads);
    }

    @Override
    public Model withQueueCapacity(int queueCapacity) {
        return isPool() ? ofPool(threads, queueCapacity) : super.withQueueCapacity(queueCapacity);
    }

    private boolean isPool() {
        return threads > 0;
    }

    @Override
    boolean nonBlocking() {
        return false;
    }

    @Override
    int capacity() {
        return isPool() ? threads + queueCapacity : Integer.MAX_VALUE;
    }

    /** The dispatcher that runs one server's connections. */
    Dispatcher newDispatcher(String serverName) {
        return dispatchers.apply(serverName);
    }

    @Override
    Acceptor listen(ListenSpec spec, ServerContext context) throws IOException {
        return SelectorAcceptor.open(spec, context, new BlockingRunner(context, newDispatcher(context.name())));
    }

    @Override
    Dispatcher datagramDispatcher(String serverName) {
        return newDispatcher(serverName);
    }

    @Override
    public String toString() {
        return isPool() ? "pool(" + threads + ", queue " + queueCapacity + ")" : name;
    }
}
