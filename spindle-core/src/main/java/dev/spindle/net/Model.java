package dev.spindle.net;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The concurrency model a {@link StreamServer} runs its handlers under: the seeds' progression
 * from a one-at-a-time server to threads, a pool and coroutines. The handler is the same in
 * every model.
 *
 * <table>
 *   <caption>The models</caption>
 *   <tr><th>name</th><th>model</th><th>each connection runs on</th><th>Python</th></tr>
 *   <tr><td>{@code sync}</td><td>{@link #SYNC}</td><td>the accepting thread, one connection at a
 *       time: a second client waits in the backlog until the first leaves</td><td>{@code TCPServer}</td></tr>
 *   <tr><td>{@code thread}</td><td>{@link #THREAD}</td><td>a new platform thread</td><td>{@code ThreadingTCPServer}</td></tr>
 *   <tr><td>{@code pool}</td><td>{@link #pool(int, int)}</td><td>one of n platform threads; up to
 *       {@code queueCapacity} connections wait for a thread; what happens to the next one is the
 *       server's {@link WhenFull} policy</td><td>a thread pool</td></tr>
 *   <tr><td>{@code virtual}</td><td>{@link #VIRTUAL}</td><td>a new virtual thread</td><td>gevent's coroutine server</td></tr>
 *   <tr><td>{@code event-loop}</td><td>{@link #eventLoop(int)}</td><td>one of n selector loops, as a
 *       {@link Protocol}, never blocking</td><td>{@code selectors}, select/epoll</td></tr>
 *   <tr><td>{@code async}</td><td>{@link #ASYNC}</td><td>completion handlers on a small group of
 *       threads, as a {@link Protocol}</td><td>asyncio</td></tr>
 *   <tr><td>{@code process}</td><td>{@link #processes(int, Model)}</td><td>a worker JVM of n, all on
 *       one port ({@code SO_REUSEPORT}), under an inner model</td><td>{@code ForkingMixIn}</td></tr>
 * </table>
 *
 * <p>{@link #names()} and {@link #of(String)} turn the names into models, for command lines and
 * configuration files; {@link #withThreads(int)} and {@link #withQueueCapacity(int)} tune the
 * pool and the event loops.
 *
 * <p>Instances are immutable and sharable: one model may serve any number of servers, each of
 * which gets its own threads (except a model over a caller's {@link EventLoopGroup}, whose loops
 * the servers share and do not stop).
 */
public abstract sealed class Model permits BlockingModel, EventLoopModel, AsyncModel, ProcessModel {

    /** The threads of {@link #of(String) of("pool")}: 16. */
    public static final int DEFAULT_POOL_THREADS = 16;
    /** The queue of {@link #of(String) of("pool")}: 128 connections. */
    public static final int DEFAULT_POOL_QUEUE = 128;

    /** One connection at a time, served on the accepting thread. */
    public static final Model SYNC = BlockingModel.sync();
    /** A platform thread per connection. */
    public static final Model THREAD = BlockingModel.thread();
    /** A virtual thread per connection: blocking code, coroutine cost. The default. */
    public static final Model VIRTUAL = BlockingModel.virtual();
    /**
     * NIO.2 asynchronous channels: every accept, read and write is an operation whose completion
     * handler runs on a group of one thread per core, asyncio's proactor. Runs {@link Protocol}s
     * only, over TCP only (the JDK has no asynchronous Unix-domain channel), and has no
     * {@link StreamServer#handleRequest(java.time.Duration)}: an asynchronous accept cannot be
     * abandoned without closing the listener.
     */
    public static final Model ASYNC = new AsyncModel(Runtime.getRuntime().availableProcessors());

    private static final List<String> NAMES = List.of("sync", "thread", "pool", "virtual", "event-loop", "async",
            "process");

    Model() {
    }

    /**
     * {@code loops} selector threads, each serving many non-blocking connections: the seeds'
     * select/epoll server. Accepted connections are spread over the loops in turn. This model
     * runs {@link Protocol}s only: give the server one with
     * {@link StreamServerBuilder#protocol(java.util.function.Supplier)}.
     *
     * @throws IllegalArgumentException when {@code loops < 1}
     */
    public static Model eventLoop(int loops) {
        return new EventLoopModel(loops, null);
    }

    /** {@link #eventLoop(int)} with one loop per available processor. */
    public static Model eventLoop() {
        return eventLoop(Runtime.getRuntime().availableProcessors());
    }

    /**
     * The event-loop model on the loops of {@code group}, which the caller owns: servers and
     * clients may share one group's threads (a proxy's two sides on one loop, say). Closing a
     * server closes its connections on the group but leaves the loops running; closing the group
     * aborts every connection on it, the servers' included.
     */
    public static Model eventLoop(EventLoopGroup group) {
        return new EventLoopModel(group.size(), Objects.requireNonNull(group, "group"));
    }

    /**
     * A bounded pool of {@code threads} platform threads with a queue of {@code queueCapacity}
     * waiting connections (0: none waits). A connection beyond both is refused or left in the
     * backlog, by the server's {@link StreamServerBuilder#whenFull(WhenFull) WhenFull} policy.
     *
     * @throws IllegalArgumentException when {@code threads < 1} or {@code queueCapacity < 0}
     */
    public static Model pool(int threads, int queueCapacity) {
        return BlockingModel.ofPool(threads, queueCapacity);
    }

    /**
     * {@code workers} worker JVMs, each listening on the server's port with {@code SO_REUSEPORT}
     * (the kernel spreads new connections over them) and running the same handler or protocol
     * under {@link #VIRTUAL}: socketserver's {@code ForkingMixIn}, with a pool of long-lived
     * workers instead of a fork per connection. See {@link #processes(int, Model)}.
     *
     * @throws IllegalArgumentException when {@code workers < 1}
     */
    public static Model processes(int workers) {
        return processes(workers, VIRTUAL);
    }

    /**
     * {@code workers} worker JVMs on one port, each serving under {@code inner} (any model but
     * this one). The parent supervises: a worker that dies is replaced, {@link StreamServer#stats()}
     * sums the workers', and shutdown drains every worker within the grace.
     *
     * <p>What crosses to the workers is the handler factory or protocol factory, which must be
     * {@link java.io.Serializable} (a class of your own that implements it, or a cast lambda:
     * {@code (Supplier<Protocol> & Serializable) EchoProtocol::new}), and the settings: idle
     * timeout, maximum connections and input budget (each per worker), overload policy, backlog
     * and shutdown grace. TCP only.
     *
     * @throws IllegalArgumentException when {@code workers < 1}, or {@code inner} is itself a process model
     */
    public static Model processes(int workers, Model inner) {
        return new ProcessModel(workers, inner);
    }

    /** The names {@link #of(String)} takes, in the order of the table above. */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * The model called {@code name} (case-insensitive; {@code event_loop} and {@code eventloop}
     * are taken too), with its defaults: the pool with {@value #DEFAULT_POOL_THREADS} threads and
     * a queue of {@value #DEFAULT_POOL_QUEUE}, the event loop with one loop per processor.
     *
     * @throws IllegalArgumentException naming the choices, when {@code name} is none of {@link #names()}
     */
    public static Model of(String name) {
        String key = Objects.requireNonNull(name, "name").trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (key) {
            case "sync" -> SYNC;
            case "thread" -> THREAD;
            case "pool" -> pool(DEFAULT_POOL_THREADS, DEFAULT_POOL_QUEUE);
            case "virtual" -> VIRTUAL;
            case "event-loop", "eventloop" -> eventLoop();
            case "async" -> ASYNC;
            case "process" -> processes(Runtime.getRuntime().availableProcessors());
            default -> throw new IllegalArgumentException("'" + name + "' is not a model; choose one of "
                    + String.join(", ", NAMES));
        };
    }

    /** The model's name, one of {@link #names()}. */
    public abstract String name();

    /** The pool's thread count, the event-loop count, or the async group's threads; 0 for the other models. */
    public abstract int threads();

    /** The pool's queue capacity; 0 for models without a pool. */
    public int queueCapacity() {
        return 0;
    }

    /**
     * This model with {@code threads} threads: the pool's threads, or the event loops.
     *
     * @throws IllegalArgumentException when the model has no thread count to set (sync, thread,
     *     virtual, async, an event loop on a caller's group), or {@code threads < 1}
     */
    public Model withThreads(int threads) {
        throw new IllegalArgumentException("the " + name() + " model has no thread count to set");
    }

    /**
     * The pool with a queue of {@code queueCapacity} connections.
     *
     * @throws IllegalArgumentException when the model is not the pool, or {@code queueCapacity < 0}
     */
    public Model withQueueCapacity(int queueCapacity) {
        throw new IllegalArgumentException("the " + name() + " model has no queue; only the pool has");
    }

    /**
     * Whether the model runs a blocking {@link ConnectionHandler} on a thread per connection
     * (sync, thread, pool, virtual); the others run {@link Protocol}s only.
     */
    public final boolean runsBlockingHandlers() {
        return !nonBlocking();
    }

    /** Whether connections run {@link Protocol}s on non-blocking loops rather than handlers on threads. */
    abstract boolean nonBlocking();

    /** How many connections the model can hold, running or waiting; the server admits no more. */
    int capacity() {
        return Integer.MAX_VALUE;
    }

    /**
     * Binds a listener for one server and makes what accepts on it and runs what it accepts:
     * the strategy that is the model.
     */
    abstract Acceptor listen(ListenSpec spec, ServerContext context) throws IOException;

    /**
     * What runs a {@link DatagramServer}'s handlers: the thread that received the datagram, or a
     * thread of the model's.
     *
     * @throws UnsupportedOperationException when the model has no datagram form
     */
    abstract Dispatcher datagramDispatcher(String serverName);

    /** How many sockets, each with a receiving thread, a datagram server binds. */
    int datagramReceivers() {
        return 1;
    }
}
