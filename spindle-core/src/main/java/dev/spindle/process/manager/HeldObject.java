package dev.spindle.process.manager;

import dev.spindle.process.wire.ValueCodec;
import dev.spindle.internal.Deadline;
import dev.spindle.process.Serializer;
import dev.spindle.process.wire.Caller;
import dev.spindle.process.wire.ServedObject;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * An object a manager holds, in the manager process: serves the methods of one interface (the one
 * its proxy exposes) to every process, called by signature ({@link ManagedObject} is the other
 * side). Python's {@code Server.serve_client} for one object.
 *
 * <p>Only the exposed interface's methods can be called, and none that takes a
 * {@code java.util.function} type: a caller cannot make the manager run code it sent. Arguments
 * are decoded with the manager's serializer, so a class off its allow-list is refused by name
 * before anything of it is made.
 *
 * <p>Arguments and results cross as {@link ValueCodec} writes them. A reply starts with
 * {@link #RETURNED} and the result, or with {@link #THREW} and what
 * was thrown: the name of the nearest common JDK exception type (which the caller throws again),
 * the thrown type's own name and its message. No exception object is encoded.
 */
final class HeldObject implements ServedObject {

    /** Call: a method by signature, the number of arguments, then each ({@link ValueCodec}). */
    static final byte INVOKE = 1;
    /** Call: a copy of a held map's entries or a held list's elements. */
    static final byte SNAPSHOT = 2;
    static final byte RETURNED = 0;
    static final byte THREW = 1;

    private static final System.Logger LOG = System.getLogger(HeldObject.class.getName());
    /** The exceptions a caller throws as themselves: the JDK's common unchecked ones, by name. */
    private static final Map<String, Function<String, RuntimeException>> RETHROWN = Map.of(
            IllegalArgumentException.class.getName(), IllegalArgumentException::new,
            IllegalStateException.class.getName(), IllegalStateException::new,
            UnsupportedOperationException.class.getName(), UnsupportedOperationException::new,
            NullPointerException.class.getName(), NullPointerException::new,
            IndexOutOfBoundsException.class.getName(), IndexOutOfBoundsException::new,
            NoSuchElementException.class.getName(), NoSuchElementException::new,
            ClassCastException.class.getName(), ClassCastException::new,
            ArithmeticException.class.getName(), ArithmeticException::new,
            ConcurrentModificationException.class.getName(), ConcurrentModificationException::new);

    private final Object target;
    private final Map<String, Method> methods = new HashMap<>();
    private final Serializer serializer;
    private final boolean mayWait;
    private final String what;
    /**
     * For an object whose methods never wait (a dict, a list, a value): every call and every
     * snapshot runs under this lock, so the object itself may be a plain collection. A lock, not a
     * monitor: a key's {@code equals} may call another process, and a virtual thread waiting there
     * must not pin its carrier.
     */
    private final ReentrantLock guard;

    /**
     * @param target   the object held: thread-safe if {@code mayWait} (many processes call it at
     *                 once), else called under this holder's lock
     * @param exposed  the interface whose methods callers may call
     * @param mayWait  whether a method may wait (a registered type's may): such calls run on a
     *                 thread of their own, never on the connection's reader
     */
    HeldObject(Object target, Class<?> exposed, Serializer serializer, boolean mayWait, String what) {
        this.target = target;
        this.serializer = serializer;
        this.mayWait = mayWait;
        this.what = what;
        this.guard = mayWait ? null : new ReentrantLock();
        for (Method method : exposed.getMethods()) {
            if (!Modifier.isStatic(method.getModifiers()) && takesNoCode(method)) {
                if (!Modifier.isPublic(exposed.getModifiers())) {
                    method.setAccessible(true);
                }
                methods.put(ManagedObject.signature(method), method);
            }
        }
    }

    private static boolean takesNoCode(Method method) {
        for (Class<?> parameter : method.getParameterTypes()) {
            if (parameter.getPackageName().equals("java.util.function")) {
                return false;
            }
        }
        return true;
    }

    @Override
    public byte[] call(Caller caller, byte op, ByteBuffer payload, Deadline deadline) throws InterruptedException {
        if (mayWait && deadline.hasExpired()) {
            return null; // the peer's first try, on its reader: run on a thread of our own instead
        }
        return switch (op) {
            case INVOKE -> invoke(payload);
            case SNAPSHOT -> reply(snapshot());
            default -> throw new UnsupportedOperationException("a managed " + what + " has no operation " + op);
        };
    }

    @Override
    public void oneWay(Caller caller, byte op, ByteBuffer payload) throws InterruptedException {
        byte[] reply = invoke(payload);
        if (reply[0] == THREW) {
            ByteBuffer thrown = ByteBuffer.wrap(reply, 1, reply.length - 1);
            LOG.log(System.Logger.Level.WARNING, "a call from process " + caller.pid() + " that wanted no reply failed: "
                    + rethrown(thrown, what).getMessage());
        }
    }

    private byte[] invoke(ByteBuffer payload) throws InterruptedException {
        String signature;
        Object[] args;
        try {
            byte[] name = new byte[payload.getShort()];
            payload.get(name);
            signature = new String(name, StandardCharsets.UTF_8);
            args = new Object[payload.get()];
            for (int i = 0; i < args.length; i++) {
                args[i] = ValueCodec.read(payload, serializer);
            }
        } catch (IOException | RuntimeException e) {
            return threw(new IllegalArgumentException("the manager refused a call to " + what + ": "
                    + e.getMessage() + " (a class must be on the allow-list of the manager's serializer)"));
        }
        Method method = methods.get(signature);
        if (method == null) {
            return threw(new UnsupportedOperationException("a managed " + what + " has no method " + signature
                    + " that can be called through a manager"));
        }
        Object result;
        if (guard != null) {
            guard.lock();
        }
        try {
            result = method.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof InterruptedException cancelled) {
                throw cancelled; // the caller cancelled: the peer answers so, and the caller throws it
            }
            return threw(e.getCause());
        } catch (IllegalAccessException | IllegalArgumentException e) {
            return threw(new IllegalArgumentException("cannot call " + what + "." + signature + ": " + e.getMessage()));
        } finally {
            if (guard != null) {
                guard.unlock();
            }
        }
        return reply(result);
    }

    private Object snapshot() {
        if (guard == null || !(target instanceof Map<?, ?> || target instanceof List<?>)) {
            throw new UnsupportedOperationException("a managed " + what + " cannot be copied");
        }
        guard.lock();
        try {
            if (target instanceof Map<?, ?> map) {
                List<Map.Entry<Object, Object>> entries = new ArrayList<>();
                map.forEach((k, v) -> entries.add(new AbstractMap.SimpleImmutableEntry<>(k, v)));
                return entries;
            }
            return new ArrayList<>((List<?>) target);
        } finally {
            guard.unlock();
        }
    }

    private byte[] reply(Object result) {
        ValueCodec.Out out = new ValueCodec.Out(16);
        try {
            out.write(RETURNED);
            ValueCodec.write(out, result, serializer);
        } catch (IOException e) {
            return threw(new IllegalStateException("the manager cannot send back what " + what + " returned: "
                    + e.getMessage()));
        }
        return out.bytes();
    }

    private static byte[] threw(Throwable thrown) {
        String common = ManagedMethodException.class.getName();
        for (Class<?> type = thrown.getClass(); type != null; type = type.getSuperclass()) {
            if (RETHROWN.containsKey(type.getName())) {
                common = type.getName();
                break;
            }
        }
        byte[] kind = common.getBytes(StandardCharsets.UTF_8);
        byte[] own = thrown.getClass().getName().getBytes(StandardCharsets.UTF_8);
        String text = thrown.getMessage() == null ? "" : thrown.getMessage();
        byte[] message = text.substring(0, Math.min(text.length(), 8_000)).getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 6 + kind.length + own.length + message.length).put(THREW)
                .putShort((short) kind.length).put(kind).putShort((short) own.length).put(own)
                .putShort((short) message.length).put(message).array();
    }

    /** The exception to throw for a {@link #THREW} reply, read after its status byte. */
    static RuntimeException rethrown(ByteBuffer reply, String what) {
        String common = text(reply);
        String own = text(reply);
        String message = text(reply);
        Function<String, RuntimeException> make = RETHROWN.get(common);
        if (make != null) {
            return make.apply(own.equals(common) ? message : own + ": " + message);
        }
        return new ManagedMethodException(own, message, what);
    }

    private static String text(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.getShort()];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
