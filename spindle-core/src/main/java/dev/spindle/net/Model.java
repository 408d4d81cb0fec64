package dev.spindle.net;

/**
 * The concurrency model a {@link StreamServer} runs its handlers under: the seeds' progression
 * from a one-at-a-time server to threads, a pool and coroutines. The handler is the same in
 * every model.
 *
 * <table>
 *   <caption>The models</caption>
 *   <tr><th>model</th><th>each connection runs on</th><th>Python</th></tr>
 *   <tr><td>{@link #SYNC}</td><td>the accepting thread, one connection at a time: a second
 *       client waits in the backlog until the first leaves</td><td>{@code TCPServer}</td></tr>
 *   <tr><td>{@link #THREAD}</td><td>a new platform thread</td><td>{@code ThreadingTCPServer}</td></tr>
 *   <tr><td>{@link #pool(int, int)}</td><td>one of n platform threads; up to
 *       {@code queueCapacity} connections wait for a thread, and a connection that finds the
 *       queue full is refused (closed at once and counted)</td><td>a thread pool</td></tr>
 *   <tr><td>{@link #VIRTUAL}</td><td>a new virtual thread</td><td>gevent's coroutine server</td></tr>
 *   <tr><td>{@link #eventLoop(int)}</td><td>one of n selector loops, as a {@link Protocol}, never
 *       blocking</td><td>{@code selectors}, select/epoll</td></tr>
 *   <tr><td>{@link #ASYNC}</td><td>completion handlers on a small group of threads, as a
 *       {@link Protocol}</td><td>asyncio</td></tr>
 * </table>
 *
 * <p>Instances are immutable and sharable.
 */
public final class Model {

    enum Kind { SYNC, THREAD, POOL, VIRTUAL, EVENT_LOOP, ASYNC }

    /** One connection at a time, served on the accepting thread. */
    public static final Model SYNC = new Model(Kind.SYNC, 0, 0);
    /** A platform thread per connection. */
    public static final Model THREAD = new Model(Kind.THREAD, 0, 0);
    /** A virtual thread per connection: blocking code, coroutine cost. The default. */
    public static final Model VIRTUAL = new Model(Kind.VIRTUAL, 0, 0);
    /**
     * NIO.2 asynchronous channels: every accept, read and write is an operation whose completion
     * handler runs on a group of one thread per core, asyncio's proactor. Runs {@link Protocol}s
     * only, over TCP only (the JDK has no asynchronous Unix-domain channel), and has no
     * {@link StreamServer#handleRequest(java.time.Duration)}: an asynchronous accept cannot be
     * abandoned without closing the listener.
     */
    public static final Model ASYNC = new Model(Kind.ASYNC, Runtime.getRuntime().availableProcessors(), 0);

    private final Kind kind;
    private final int threads;
    private final int queueCapacity;

    private Model(Kind kind, int threads, int queueCapacity) {
        this.kind = kind;
        this.threads = threads;
        this.queueCapacity = queueCapacity;
    }

    /**
     * {@code loops} selector threads, each serving many non-blocking connections: the seeds'
     * select/epoll server. Accepted connections are spread over the loops in turn. This model
     * runs {@link Protocol}s only: give the server one with
     * {@link StreamServer.Builder#protocol(java.util.function.Supplier)}.
     *
     * @throws IllegalArgumentException when {@code loops < 1}
     */
    public static Model eventLoop(int loops) {
        if (loops < 1) {
            throw new IllegalArgumentException("an event-loop model needs at least one loop, got " + loops);
        }
        return new Model(Kind.EVENT_LOOP, loops, 0);
    }

    /** {@link #eventLoop(int)} with one loop per available processor. */
    public static Model eventLoop() {
        return eventLoop(Runtime.getRuntime().availableProcessors());
    }

    /** Whether connections run {@link Protocol}s on non-blocking loops rather than handlers on threads. */
    boolean nonBlocking() {
        return kind == Kind.EVENT_LOOP || kind == Kind.ASYNC;
    }

    /**
     * A bounded pool of {@code threads} platform threads with a queue of {@code queueCapacity}
     * waiting connections (0: none waits, a connection is refused when every thread is busy).
     *
     * @throws IllegalArgumentException when {@code threads < 1} or {@code queueCapacity < 0}
     */
    public static Model pool(int threads, int queueCapacity) {
        if (threads < 1) {
            throw new IllegalArgumentException("a pool needs at least one thread, got " + threads);
        }
        if (queueCapacity < 0) {
            throw new IllegalArgumentException("queue capacity must be zero or positive, got " + queueCapacity);
        }
        return new Model(Kind.POOL, threads, queueCapacity);
    }

    Kind kind() {
        return kind;
    }

    /** The pool's thread count or the event-loop count; 0 for the other models. */
    public int threads() {
        return threads;
    }

    /** The pool's queue capacity; 0 for models without a pool. */
    public int queueCapacity() {
        return queueCapacity;
    }

    /** How many connections the model can hold, running or waiting; the server admits no more. */
    int capacity() {
        return kind == Kind.POOL ? threads + queueCapacity : Integer.MAX_VALUE;
    }

    /** Makes the dispatcher that runs one server's connections under this model. */
    Dispatcher newDispatcher(String serverName) {
        return switch (kind) {
            case SYNC -> Dispatcher.INLINE;
            case THREAD -> Dispatcher.threadPerTask(
                    Thread.ofPlatform().name(serverName + "-conn-", 1).daemon(true).factory());
            case VIRTUAL -> {
                VirtualThreadPoller.start();
                yield Dispatcher.threadPerTask(Thread.ofVirtual().name(serverName + "-conn-", 1).factory());
            }
            case EVENT_LOOP, ASYNC -> Dispatcher.INLINE; // connections go to loops or the group, not to a dispatcher
            case POOL -> Dispatcher.pool(threads,
                    Thread.ofPlatform().name(serverName + "-pool-", 1).daemon(true).factory());
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case SYNC -> "sync";
            case THREAD -> "thread";
            case VIRTUAL -> "virtual";
            case POOL -> "pool(" + threads + ", queue " + queueCapacity + ")";
            case EVENT_LOOP -> "event-loop(" + threads + ")";
            case ASYNC -> "async";
        };
    }
}
