package dev.spindle.process.manager;

import dev.spindle.internal.Deadline;
import dev.spindle.process.JavaSerializer;
import dev.spindle.process.queue.ProcessJoinableQueue;
import dev.spindle.process.queue.ProcessQueue;
import dev.spindle.process.sync.ProcessBarrier;
import dev.spindle.process.sync.ProcessBoundedSemaphore;
import dev.spindle.process.sync.ProcessEvent;
import dev.spindle.process.sync.ProcessLock;
import dev.spindle.process.sync.ProcessRLock;
import dev.spindle.process.sync.ProcessSemaphore;
import dev.spindle.process.wire.Caller;
import dev.spindle.process.wire.Hub;
import dev.spindle.process.wire.ObjectHandle;
import dev.spindle.process.wire.ServedObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A manager, in its own process: makes the shared objects its clients ask for and serves them.
 * Python's {@code managers.Server}. {@link Manager} is the client side; every object made here is
 * served by this process and reached by its proxies through the one wire.
 *
 * <p>The kinds it makes are a table, not a switch: the built-in ones (a dict, a list, a namespace,
 * a value, an array, and the queues and synchronization tools of {@code process.queue} and
 * {@code process.sync}), then each registered interface by its name.
 */
final class ManagerRoot implements ServedObject {

    /** Call: the encoded {@code Object[]} of a kind and its arguments; reply the encoded new object. */
    static final byte CREATE = 1;
    /** Call: reply {@code [1]}; the manager's process then ends. */
    static final byte SHUTDOWN = 2;
    /** Call: reply the manager's pid (8 bytes), then the address it announces its objects at (UTF-8). */
    static final byte HELLO = 3;

    private final JavaSerializer serializer;
    /** The ids of the objects this manager serves (maps, lists, values, registered types). */
    private final java.util.Set<Long> held = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Map<String, Function<Object[], Object>> kinds = new HashMap<>();
    private final Map<String, Registration<?>> registered = new HashMap<>();
    /** The TCP hub a served manager's objects are announced at; null for a manager of the run. */
    private final Hub announceAt;
    private final CountDownLatch shutdown = new CountDownLatch(1);
    private final ReentrantLock sharing = new ReentrantLock();
    /** The namespace every client of this manager gets from {@link Manager#shared()}; made on first use. */
    private Namespace shared;

    ManagerRoot(JavaSerializer serializer, List<Registration<?>> registrations, Hub announceAt) {
        this.serializer = serializer;
        this.announceAt = announceAt;
        kinds.put("dict", args -> new ManagedMap<>(hold(new LinkedHashMap<>(), Map.class, "dict")));
        kinds.put("list", args -> new ManagedList<>(hold(new ArrayList<>(), List.class, "list")));
        kinds.put("array", args -> new ManagedList<>(hold(
                Arrays.asList(((Object[]) args[0]).clone()), List.class, "array")));
        kinds.put("namespace", args -> new Namespace(new ManagedMap<>(hold(
                new LinkedHashMap<>(), Map.class, "namespace"))));
        kinds.put("shared", args -> shared());
        kinds.put("value", args -> ManagedObject.proxy(ManagedValue.class,
                hold(new HeldValue<>(args[0]), ManagedValue.class, "value")));
        kinds.put("queue", args -> new ProcessQueue<>((Integer) args[0], serializer));
        kinds.put("joinable-queue", args -> new ProcessJoinableQueue<>((Integer) args[0], serializer));
        kinds.put("lock", args -> new ProcessLock());
        kinds.put("rlock", args -> new ProcessRLock());
        kinds.put("condition", args -> new ProcessRLock().newCondition());
        kinds.put("semaphore", args -> new ProcessSemaphore((Integer) args[0]));
        kinds.put("bounded-semaphore", args -> new ProcessBoundedSemaphore((Integer) args[0]));
        kinds.put("event", args -> new ProcessEvent());
        kinds.put("barrier", args -> new ProcessBarrier((Integer) args[0]));
        for (Registration<?> registration : registrations) {
            registered.put(registration.type().getName(), registration);
        }
    }

    /**
     * The body of a started manager's process: serves a root, hands its handle to the parent
     * through {@code ready}, and serves until {@link #SHUTDOWN} (or until the parent ends, which
     * ends this process with it).
     */
    static void serveUntilShutdown(ProcessQueue<ObjectHandle> ready, JavaSerializer serializer,
            List<Registration<?>> registrations) throws IOException, InterruptedException {
        ManagerRoot root = new ManagerRoot(serializer, registrations, null);
        ready.put(ObjectHandle.serve(root));
        root.shutdown.await();
    }

    @Override
    public byte[] call(Caller caller, byte op, ByteBuffer payload, Deadline deadline) throws Exception {
        return switch (op) {
            case CREATE -> create(payload, deadline);
            case SHUTDOWN -> {
                shutdown.countDown();
                yield new byte[] {1};
            }
            case HELLO -> {
                byte[] announced = (announceAt == null ? "" : announceAt.addressText()).getBytes(StandardCharsets.UTF_8);
                yield ByteBuffer.allocate(8 + announced.length).putLong(ProcessHandle.current().pid())
                        .put(announced).array();
            }
            default -> throw new UnsupportedOperationException("a manager has no operation " + op);
        };
    }

    private byte[] create(ByteBuffer payload, Deadline deadline) throws Exception {
        byte[] encoded = new byte[payload.remaining()];
        payload.get(encoded);
        Object[] request = (Object[]) serializer.decode(encoded);
        String kind = (String) request[0];
        Object[] args = Arrays.copyOfRange(request, 1, request.length);
        Function<Object[], Object> builtIn = kinds.get(kind);
        Registration<?> registration = registered.get(kind);
        if (builtIn == null && registration == null) {
            throw new IllegalArgumentException("this manager makes no '" + kind + "': register the type with "
                    + "Manager.builder().register(" + kind + ".class, factory) where the manager is started or served");
        }
        if (builtIn == null && deadline.hasExpired()) {
            return null; // a registered factory may take its time: not on the connection's reader
        }
        Object made = announced(() -> builtIn != null ? builtIn.apply(args) : registered(registration));
        return serializer.encode(made);
    }

    private Namespace shared() {
        sharing.lock();
        try {
            if (shared == null) {
                shared = (Namespace) kinds.get("namespace").apply(new Object[0]);
            }
            return shared;
        } finally {
            sharing.unlock();
        }
    }

    private Object registered(Registration<?> registration) {
        Object target;
        try {
            target = registration.factory().call();
        } catch (Exception e) {
            throw new IllegalStateException("the factory of " + registration.type().getName() + " threw " + e, e);
        }
        return hold(target, registration.type(), true, registration.type().getName());
    }

    private ManagedObject hold(Object target, Class<?> exposed, String what) {
        return hold(target, exposed, false, what);
    }

    private ManagedObject hold(Object target, Class<?> exposed, boolean mayWait, String what) {
        try {
            ObjectHandle handle = ObjectHandle.serve(new HeldObject(target, exposed, serializer, mayWait, what));
            held.add(handle.id());
            if (shutdown.getCount() == 0) {
                dev.spindle.process.wire.ServedObjects.remove(handle.id()); // made while stopping: never served
            }
            return new ManagedObject(handle, serializer, what);
        } catch (IOException e) {
            throw new UncheckedIOException("the manager cannot serve a new " + what + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code creation} so that what it serves is reachable where this manager's clients are. */
    private Object announced(java.util.concurrent.Callable<Object> creation) throws Exception {
        return announceAt == null ? creation.call() : announceAt.announcing(creation);
    }

    /** Ends a served manager's waiting, as {@link #SHUTDOWN} does a started one's. */
    /** Stops the manager: the objects it holds are served no more, so they can be collected. */
    void stop() {
        shutdown.countDown();
        held.forEach(dev.spindle.process.wire.ServedObjects::remove);
        held.clear();
    }
}
