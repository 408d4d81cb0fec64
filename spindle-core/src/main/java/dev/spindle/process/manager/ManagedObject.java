package dev.spindle.process.manager;

import dev.spindle.process.wire.ValueCodec;
import dev.spindle.internal.Deadline;
import dev.spindle.process.HolderUnreachableException;
import dev.spindle.process.Serializer;
import dev.spindle.process.wire.ObjectHandle;

import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One object a manager holds, as every process that uses it sees it: calls its methods by
 * signature through the {@link ObjectHandle}, with arguments and result encoded by the manager's
 * {@link Serializer}. Python's {@code BaseProxy._callmethod}. What crosses when a task captures a
 * dict, a list or a registered type's proxy; also the {@link InvocationHandler} of those proxies.
 *
 * <p>A method that throws in the manager throws here as the same JDK exception type when it is one
 * of the common unchecked ones (see {@link HeldObject}), otherwise as a {@link ManagedMethodException}
 * naming the type: no exception object crosses.
 */
final class ManagedObject implements InvocationHandler, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;
    private static final Map<Method, String> SIGNATURES = new ConcurrentHashMap<>();

    private final ObjectHandle handle;
    private final Serializer serializer;
    /** What the object is, for messages: "dict", "list", or a registered interface's name. */
    private final String what;

    ManagedObject(ObjectHandle handle, Serializer serializer, String what) {
        this.handle = handle;
        this.serializer = serializer;
        this.what = what;
    }

    /** The signature a method is called by: its name and its parameters' type names. */
    static String signature(Method method) {
        return SIGNATURES.computeIfAbsent(method, m -> m.getName() + Arrays.stream(m.getParameterTypes())
                .map(Class::getName).collect(java.util.stream.Collectors.joining(",", "(", ")")));
    }

    /** The signature of {@code type}'s method {@code name} with {@code parameters}; fails at once if there is none. */
    static String signature(Class<?> type, String name, Class<?>... parameters) {
        try {
            return signature(type.getMethod(name, parameters));
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Calls the method with {@code signature} on the held object and returns what it returned. An
     * interrupt does not stop the call (nothing is cancelled, so the method runs once); the
     * interrupt status is kept for the caller.
     *
     * @throws ManagerUnreachableException if the manager has ended or cannot be reached
     * @throws ManagedMethodException if the method threw something other than a common JDK exception
     * @throws IllegalArgumentException if an argument cannot be encoded (not serializable, or not on
     *         the manager's allow-list), or the result cannot be decoded here
     */
    Object invoke(String signature, Object... args) {
        return callUninterruptibly(HeldObject.INVOKE, encodeCall(signature, args));
    }

    /** {@link #invoke} that an interrupt stops, for a method that declares {@link InterruptedException}. */
    private Object invokeInterruptibly(String signature, Object[] args) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before calling " + what + "." + signature);
        }
        return call(HeldObject.INVOKE, encodeCall(signature, args));
    }

    private Object call(byte op, byte[] payload) throws InterruptedException {
        try {
            return decodeReply(handle.call(op, payload, Deadline.NONE));
        } catch (HolderUnreachableException e) {
            throw unreachable(e);
        }
    }

    /**
     * Sends a call whose result nobody waits for: calls from one thread still run in the order sent,
     * so a later {@link #invoke} sees its effect. Its failure is logged by the manager.
     */
    void invokeLater(String signature, Object... args) {
        byte[] call = encodeCall(signature, args);
        try {
            handle.oneWay(HeldObject.INVOKE, call, 0, call.length);
        } catch (HolderUnreachableException e) {
            throw unreachable(e);
        }
    }

    /** A copy of the held collection's contents ({@link HeldObject#SNAPSHOT}): what iteration walks. */
    Object snapshot() {
        return callUninterruptibly(HeldObject.SNAPSHOT, new byte[0]);
    }

    /** A call an interrupt does not stop: no cancel is sent, so it never runs halfway and then again. */
    private Object callUninterruptibly(byte op, byte[] payload) {
        try {
            return decodeReply(handle.callUninterruptibly(op, payload, Deadline.NONE));
        } catch (HolderUnreachableException e) {
            throw unreachable(e);
        }
    }

    /** The pid of the manager process. */
    long managerPid() {
        return handle.holderPid();
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws InterruptedException {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> args[0] != null && Proxy.isProxyClass(args[0].getClass())
                        && Proxy.getInvocationHandler(args[0]) instanceof ManagedObject other && other.equals(this);
                case "hashCode" -> hashCode();
                default -> what + "@" + handle;
            };
        }
        Object[] given = args == null ? new Object[0] : args;
        for (Class<?> thrown : method.getExceptionTypes()) {
            if (thrown.isAssignableFrom(InterruptedException.class)) {
                return invokeInterruptibly(signature(method), given);
            }
        }
        return invoke(signature(method), given);
    }

    private byte[] encodeCall(String signature, Object[] args) {
        byte[] name = signature.getBytes(StandardCharsets.UTF_8);
        ValueCodec.Out out = new ValueCodec.Out(32 + name.length);
        try {
            out.data().writeShort(name.length);
            out.data().write(name);
            out.data().writeByte(args.length);
            for (Object arg : args) {
                ValueCodec.write(out, arg, serializer);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot send the arguments of " + what + "." + signature
                    + " to the manager: " + e.getMessage(), e);
        }
        return out.bytes();
    }

    private Object decodeReply(ByteBuffer reply) {
        if (reply == null) {
            throw new IllegalStateException("the manager answered a call to " + what + " with nothing");
        }
        byte status = reply.get();
        if (status == HeldObject.THREW) {
            throw HeldObject.rethrown(reply, what);
        }
        try {
            return ValueCodec.read(reply, serializer);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot decode what " + what + " in the manager returned: "
                    + e.getMessage(), e);
        }
    }

    private ManagerUnreachableException unreachable(HolderUnreachableException e) {
        return new ManagerUnreachableException("the manager (process " + handle.holderPid() + ") holding this "
                + what + " has ended or cannot be reached: " + e.getMessage(), handle.holderPid(), e);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ManagedObject o && o.handle.equals(handle);
    }

    @Override
    public int hashCode() {
        return handle.hashCode();
    }

    @Override
    public String toString() {
        return what + " in " + handle;
    }

    /** Wraps {@code object} in a proxy of {@code type}, for a registered type. */
    static <T> T proxy(Class<T> type, ManagedObject object) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, object));
    }
}
