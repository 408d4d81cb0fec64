package dev.spindle.process.manager;

import dev.spindle.internal.Deadline;
import dev.spindle.process.AuthenticationException;
import dev.spindle.process.HolderUnreachableException;
import dev.spindle.process.JavaSerializer;
import dev.spindle.process.Process;
import dev.spindle.process.SerializableCallable;
import dev.spindle.process.queue.ProcessJoinableQueue;
import dev.spindle.process.queue.ProcessQueue;
import dev.spindle.process.sync.ProcessBarrier;
import dev.spindle.process.sync.ProcessBoundedSemaphore;
import dev.spindle.process.sync.ProcessCondition;
import dev.spindle.process.sync.ProcessEvent;
import dev.spindle.process.sync.ProcessLock;
import dev.spindle.process.sync.ProcessRLock;
import dev.spindle.process.sync.ProcessSemaphore;
import dev.spindle.process.wire.Hub;
import dev.spindle.process.wire.ObjectHandle;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A process that holds shared objects, and the proxies that reach them from every process:
 * Python's {@code multiprocessing.Manager()} and {@code BaseManager}.
 *
 * <pre>{@code
 * try (Manager manager = Manager.start()) {        // a manager process (a child JVM)
 *     ManagedMap<String, Integer> d = manager.dict();
 *     ManagedList<Integer> l = manager.list();
 *     Process<Void> p = Process.target(() -> {     // d and l are captured: the same dict and list
 *         d.put("a", 1);
 *         l.add(42);
 *     }).start();
 *     p.join();
 *     System.out.println(d + " " + l);             // {a=1} [42]
 * }
 * }</pre>
 *
 * <h2>Three ways to have one</h2>
 * <ul>
 *   <li>{@link #start()}: a new manager process of this run, reached over the run's private
 *   sockets. {@link #close()} shuts it down.</li>
 *   <li>{@link #serve(InetSocketAddress, byte[])}: this process becomes a manager on a TCP address,
 *   for programs on other machines; each must prove the key (an HMAC challenge, before any byte
 *   of an object is read). {@code spindle manager serve} does this from the command line.
 *   {@link #close()} stops serving.</li>
 *   <li>{@link #connect(InetSocketAddress, byte[])}: a served manager, from any JVM. {@link #close()}
 *   lets go of it; the manager goes on.</li>
 * </ul>
 *
 * <h2>What it holds</h2>
 * {@link #dict()} ({@link ManagedMap}, a {@link java.util.concurrent.ConcurrentMap}),
 * {@link #list()} ({@link ManagedList}, a {@link List}), {@link #namespace()}, {@link #value},
 * {@link #array}, the queues of {@code process.queue} and the locks, conditions, semaphores, events
 * and barriers of {@code process.sync}, and any interface {@linkplain Builder#register registered}
 * with a factory ({@link #create}). Every one of them may be captured by tasks, sent through pipes
 * and queues, and put inside managed maps and lists: each copy is the same object.
 *
 * <h2>Lifecycle</h2>
 * A manager is <em>open</em> from the method that returns it until {@link #close()}. Closing a
 * started manager asks its process to end, waits up to five seconds, then stops it; its objects
 * end with it. If the manager's process ends (or is killed) while objects are in use, every call
 * to them throws {@link ManagerUnreachableException} (a {@link HolderUnreachableException}) at
 * once: no call waits on a dead manager.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>Objects live until their manager ends: a manager used for many short-lived objects grows.</li>
 *   <li>Keys, values and elements cross as the manager's {@link JavaSerializer} encodes them: give
 *   the manager a serializer that allows your classes ({@link Builder#serializer}), or they are
 *   refused by name.</li>
 *   <li>A served manager's queues, locks and the like are reached at its TCP address; objects made
 *   elsewhere (a queue a client made itself) and put in a served manager's dict can be used only
 *   where they were made.</li>
 *   <li>A served manager proves the key before it reads a byte, but its traffic after that is not
 *   encrypted: serve it on a trusted network, or reach it through an SSH or TLS tunnel. It
 *   authenticates at most 64 connections at once, each for at most 5 seconds, so a flood of
 *   connections that never prove the key can keep clients out for as long as it lasts (never let
 *   one in): put a firewall in front of a port that untrusted hosts can reach. Its connections
 *   use TCP keep-alive, so a client whose machine vanished is let go (and its locks freed) within
 *   about a minute.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class Manager implements SharedObjects {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final AtomicInteger STARTED = new AtomicInteger();

    private final ObjectHandle root;
    private final JavaSerializer serializer;
    private final long pid;
    private final InetSocketAddress address;
    /** What closing does: shut the process down, stop serving, or nothing. */
    private final Ending ending;
    private final AtomicBoolean closed = new AtomicBoolean();

    @FunctionalInterface
    private interface Ending {
        void end(Manager manager) throws IOException;
    }

    private Manager(ObjectHandle root, JavaSerializer serializer, long pid, InetSocketAddress address, Ending ending) {
        this.root = root;
        this.serializer = serializer;
        this.pid = pid;
        this.address = address;
        this.ending = ending;
    }

    /** Starts a manager process with the default serializer and no registered types. */
    public static Manager start() throws IOException {
        return builder().start();
    }

    /** Serves a manager from this process on {@code address}, to clients that prove {@code key}. */
    public static Manager serve(InetSocketAddress address, byte[] key) throws IOException {
        return builder().serve(address, key);
    }

    /** Connects to the manager served on {@code address}, with the default serializer. */
    public static Manager connect(InetSocketAddress address, byte[] key) throws IOException {
        return connect(address, key, JavaSerializer.defaults());
    }

    /**
     * Connects to the manager served on {@code address}, proving {@code key}, and decodes what it
     * sends with {@code serializer} (which must allow what the manager's does).
     *
     * @throws AuthenticationException if the manager does not hold the same key
     * @throws IOException if nothing serves there, or it cannot be reached
     */
    public static Manager connect(InetSocketAddress address, byte[] key, JavaSerializer serializer)
            throws IOException {
        Hub.connect(address, key);
        ObjectHandle home = ObjectHandle.homeOf(address, 0);
        ByteBuffer hello;
        try {
            hello = home.call(ManagerRoot.HELLO, new byte[0], Deadline.NONE);
        } catch (HolderUnreachableException e) {
            if (e.getCause() instanceof IOException cause) {
                throw cause;
            }
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while connecting to the manager at " + address);
        }
        long pid = hello.getLong();
        Hub.route(StandardCharsets.UTF_8.decode(hello).toString(), address);
        return new Manager(ObjectHandle.homeOf(address, pid), serializer, pid, address, manager -> {
        });
    }

    /** A builder for a manager with its own serializer and registered types. */
    public static Builder builder() {
        return new Builder();
    }

    /** A new, empty {@link ManagedMap} held by this manager: Python's {@code manager.dict()}. */
    public <K, V> ManagedMap<K, V> dict() {
        return create("dict");
    }

    /** A new {@link ManagedMap} holding {@code entries}: Python's {@code manager.dict(mapping)}. */
    public <K, V> ManagedMap<K, V> dict(Map<? extends K, ? extends V> entries) {
        ManagedMap<K, V> made = dict();
        made.putAll(entries);
        return made;
    }

    /** A new, empty {@link ManagedList}: Python's {@code manager.list()}. */
    public <E> ManagedList<E> list() {
        return create("list");
    }

    /** A new {@link ManagedList} holding {@code elements}: Python's {@code manager.list(sequence)}. */
    public <E> ManagedList<E> list(Collection<? extends E> elements) {
        ManagedList<E> made = list();
        made.addAll(elements);
        return made;
    }

    /**
     * A fixed-size {@link ManagedList} holding {@code elements}: Python's {@code manager.Array}.
     * {@code get} and {@code set} work; what would change its size throws
     * {@link UnsupportedOperationException}.
     */
    @SafeVarargs
    public final <E> ManagedList<E> array(E... elements) {
        return create("array", (Object) elements.clone());
    }

    /** A new, empty {@link Namespace}: Python's {@code manager.Namespace()}. */
    public Namespace namespace() {
        return create("namespace");
    }

    /**
     * The one namespace of this manager that every client gets, the same each time: where clients
     * of a served manager find what others share (Python's servers register a {@code get_queue}
     * for this). {@code manager.shared().set("jobs", manager.queue())} in one program, and
     * {@code (ProcessQueue<Job>) manager.shared().get("jobs")} in another.
     */
    public Namespace shared() {
        return create("shared");
    }

    /** A new {@link ManagedValue} holding {@code initial}: Python's {@code manager.Value}. */
    public <T> ManagedValue<T> value(T initial) {
        return create("value", initial);
    }

    /** A new unbounded {@link ProcessQueue} held by this manager: Python's {@code manager.Queue()}. */
    public <E> ProcessQueue<E> queue() {
        return queue(Integer.MAX_VALUE);
    }

    /** A new {@link ProcessQueue} of at most {@code capacity} items held by this manager. */
    public <E> ProcessQueue<E> queue(int capacity) {
        return create("queue", capacity);
    }

    /** A new unbounded {@link ProcessJoinableQueue} held by this manager. */
    public <E> ProcessJoinableQueue<E> joinableQueue() {
        return joinableQueue(Integer.MAX_VALUE);
    }

    /** A new {@link ProcessJoinableQueue} of at most {@code capacity} items held by this manager. */
    public <E> ProcessJoinableQueue<E> joinableQueue(int capacity) {
        return create("joinable-queue", capacity);
    }

    /** A new {@link ProcessLock} held by this manager: Python's {@code manager.Lock()}. */
    public ProcessLock lock() {
        return create("lock");
    }

    /** A new {@link ProcessRLock} held by this manager: Python's {@code manager.RLock()}. */
    public ProcessRLock rLock() {
        return create("rlock");
    }

    /** A new {@link ProcessCondition} on a new re-entrant lock, held by this manager. */
    public ProcessCondition condition() {
        return create("condition");
    }

    /** A new {@link ProcessSemaphore} with {@code permits}, held by this manager. */
    public ProcessSemaphore semaphore(int permits) {
        return create("semaphore", permits);
    }

    /** A new {@link ProcessBoundedSemaphore} with {@code permits}, held by this manager. */
    public ProcessBoundedSemaphore boundedSemaphore(int permits) {
        return create("bounded-semaphore", permits);
    }

    /** A new {@link ProcessEvent}, clear, held by this manager. */
    public ProcessEvent event() {
        return create("event");
    }

    /** A new {@link ProcessBarrier} for {@code parties}, held by this manager. */
    public ProcessBarrier barrier(int parties) {
        return create("barrier", parties);
    }

    /**
     * A new object of a registered type, made in the manager by its factory, and a proxy of
     * {@code type} that calls it there: Python's {@code manager.Counter()} after
     * {@code register('Counter', Counter)}.
     *
     * <p>Each call of a proxy method is one call to the manager, on a thread of its own there, so
     * the object must be thread-safe. Its arguments and result cross as the manager's serializer
     * encodes them. A method that declares {@link InterruptedException} may be interrupted: the
     * call is cancelled in the manager; any other waits on. What the method throws is thrown again
     * (see {@link ManagedMethodException}). {@code equals}, {@code hashCode} and {@code toString}
     * of the proxy are the proxy's own, not the object's.
     *
     * @throws IllegalArgumentException if the manager has no type registered as {@code type}
     */
    public <T> T create(Class<T> type) {
        return ManagedObject.proxy(type, create(type.getName()));
    }

    /** The manager process's pid. */
    public long pid() {
        return pid;
    }

    /** The TCP address the manager is served on, if it is a served one. */
    public Optional<InetSocketAddress> address() {
        return Optional.ofNullable(address);
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Closes the manager, once: shuts a started manager's process down (its objects end; calls to
     * them then throw {@link ManagerUnreachableException}), stops a served one, lets go of a
     * connected one. Later calls do nothing.
     */
    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            ending.end(this);
        }
    }

    @Override
    public String toString() {
        return "Manager[pid=" + pid + (address != null ? ", " + address : "") + (closed.get() ? ", closed" : "") + "]";
    }

    @SuppressWarnings("unchecked")
    private <T> T create(String kind, Object... args) {
        if (closed.get()) {
            throw new IllegalStateException("the manager is closed: start or connect another");
        }
        Object[] request = new Object[args.length + 1];
        request[0] = kind;
        System.arraycopy(args, 0, request, 1, args.length);
        try {
            ByteBuffer reply = root.call(ManagerRoot.CREATE, serializer.encode(request), Deadline.NONE);
            byte[] made = new byte[reply.remaining()];
            reply.get(made);
            return (T) serializer.decode(made);
        } catch (HolderUnreachableException e) {
            throw new ManagerUnreachableException("the manager (process " + pid + ") has ended or cannot be reached: "
                    + e.getMessage(), pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ManagerUnreachableException("interrupted while asking the manager (process " + pid
                    + ") for a new " + kind, pid, e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot make a " + kind + " with these arguments: " + e.getMessage(), e);
        }
    }

    /** Asks a started manager's process to end, then stops it if it has not within the grace. */
    private static void shutDown(ObjectHandle root, Process<Void> process) {
        try {
            root.call(ManagerRoot.SHUTDOWN, new byte[0], Deadline.after(STOP_GRACE));
        } catch (RuntimeException | InterruptedException e) {
            // Ended already, or will be stopped below.
        }
        try {
            if (!process.join(STOP_GRACE)) {
                process.terminate();
                if (!process.join(STOP_GRACE)) {
                    process.kill();
                    process.join(STOP_GRACE);
                }
            }
        } catch (InterruptedException e) {
            process.kill();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * How a manager is made: its serializer and the types it makes on request. The same builder
     * {@linkplain #start() starts} a manager process or {@linkplain #serve serves} one from this process.
     */
    public static final class Builder {

        private JavaSerializer serializer = JavaSerializer.defaults();
        private final List<Registration<?>> registrations = new ArrayList<>();
        private String name;

        private Builder() {
        }

        /**
         * The serializer keys, values, elements and arguments cross with, both ways; its allow-list
         * is what the manager accepts. Default: {@link JavaSerializer#defaults()}.
         */
        public Builder serializer(JavaSerializer serializer) {
            this.serializer = Objects.requireNonNull(serializer, "serializer");
            return this;
        }

        /**
         * Registers {@code type}, an interface, made in the manager by {@code factory}:
         * {@link Manager#create(Class)} then makes one and returns its proxy. Python's
         * {@code BaseManager.register}. The factory runs in the manager process (a started
         * manager receives it as a task receives its lambda).
         *
         * @throws IllegalArgumentException if {@code type} is not an interface
         */
        public <T> Builder register(Class<T> type, SerializableCallable<? extends T> factory) {
            registrations.add(new Registration<>(type, Objects.requireNonNull(factory, "factory")));
            return this;
        }

        /** The manager process's name (default {@code Manager-N}). */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Starts a manager process and waits (up to a minute) until it serves.
         *
         * @throws IOException if the process cannot be started, or ends or stalls before it serves
         */
        public Manager start() throws IOException {
            JavaSerializer chosen = serializer;
            List<Registration<?>> registered = List.copyOf(registrations);
            ProcessQueue<ObjectHandle> ready = new ProcessQueue<>(1);
            Process<Void> process = Process.target(() -> ManagerRoot.serveUntilShutdown(ready, chosen, registered))
                    .name(name != null ? name : "Manager-" + STARTED.incrementAndGet())
                    .daemon(true)
                    .allow(taskClasses(registered));
            process.start();
            try {
                ObjectHandle root = awaitRoot(ready, process);
                return new Manager(root, chosen, process.pid(), null, manager -> shutDown(root, process));
            } catch (IOException | RuntimeException e) {
                process.kill();
                throw e;
            } finally {
                ready.close();
            }
        }

        /**
         * Serves a manager from this process on {@code address} (port 0: any free one, see
         * {@link Manager#address()}); clients connect with {@link Manager#connect} and must prove
         * {@code key}. The key should be at least 16 random bytes, kept as a secret file.
         *
         * @throws IOException if the address cannot be bound
         */
        public Manager serve(InetSocketAddress address, byte[] key) throws IOException {
            if (key.length == 0) {
                throw new IllegalArgumentException("a served manager needs a key: an empty one would let anyone in");
            }
            ServedRoot served = new ServedRoot();
            Hub hub = Hub.listen(address, key, served);
            ManagerRoot root = new ManagerRoot(serializer, List.copyOf(registrations), hub);
            served.root = root;
            ObjectHandle local;
            try {
                local = hub.announcing(() -> ObjectHandle.serve(root));
            } catch (Exception e) {
                hub.close();
                throw new IOException("cannot serve the manager: " + e.getMessage(), e);
            }
            InetSocketAddress bound = new InetSocketAddress(address.getAddress(), hub.port());
            return new Manager(local, serializer, ProcessHandle.current().pid(), bound, manager -> {
                root.stop();
                hub.close();
            });
        }

        private static Class<?>[] taskClasses(List<Registration<?>> registered) {
            Set<Class<?>> classes = new LinkedHashSet<>();
            for (Registration<?> registration : registered) {
                classes.add(registration.type());
                classes.add(registration.definedIn());
            }
            return classes.toArray(new Class<?>[0]);
        }

        private static ObjectHandle awaitRoot(ProcessQueue<ObjectHandle> ready, Process<Void> process)
                throws IOException {
            Deadline deadline = Deadline.after(START_TIMEOUT);
            try {
                while (!deadline.hasExpired()) {
                    ObjectHandle root = ready.poll(100, TimeUnit.MILLISECONDS);
                    if (root != null) {
                        return root;
                    }
                    if (!process.isAlive()) {
                        throw new IOException("the manager process " + process.pid() + " ended before it served"
                                + process.exception().map(e -> ": " + e.getMessage()).orElse(
                                " (exit code " + process.exitCode().orElse(-1) + ")"));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while the manager process started");
            }
            throw new IOException("the manager process " + process.pid() + " did not serve within " + START_TIMEOUT);
        }
    }

    /** Target 0 of a served manager's connections: its root, once made. */
    private static final class ServedRoot implements dev.spindle.process.wire.ServedObject {
        private volatile ManagerRoot root;

        @Override
        public byte[] call(dev.spindle.process.wire.Caller caller, byte op, ByteBuffer payload, Deadline deadline)
                throws Exception {
            ManagerRoot made = root;
            if (made == null) {
                throw new IllegalStateException("the manager is starting; try again");
            }
            return made.call(caller, op, payload, deadline);
        }
    }
}
