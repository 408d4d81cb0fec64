package dev.spindle.process;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Java serialization behind an {@link ObjectInputFilter} allow-list: the default {@link Serializer}.
 *
 * <p>Allowed out of the box: the JDK's value types ({@code String}, boxed primitives,
 * {@code BigInteger}/{@code BigDecimal}, {@code java.time}, {@code UUID}), its collections
 * ({@code java.util} lists, sets, maps and the immutable ones), arrays of allowed types and of
 * primitives, Spindle's own classes ({@code dev.spindle.}), and
 * serializable lambdas ({@code SerializedLambda}) whose defining class is allowed, and
 * {@link java.lang.reflect.Proxy} instances whose interfaces and handler are allowed. Everything
 * else is refused with a {@link ClassNotAllowedException} that says how to allow it. Graphs are
 * also bounded by {@link SerializationLimits} (by default depth 64, 1,000,000 references, arrays
 * of 16 Mi elements); a graph over them fails with a {@link SerializationLimitException} that
 * names the limit and how to raise it ({@link #limits(SerializationLimits)}).
 *
 * <p>Immutable and thread-safe: {@link #allow}, {@link #allowPackage} and {@link #limits} return
 * new serializers.
 */
public final class JavaSerializer implements Serializer, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private static final Set<String> JDK_CLASSES = Set.of(
            "java.lang.String", "java.lang.Boolean", "java.lang.Byte", "java.lang.Short", "java.lang.Character",
            "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double", "java.lang.Number",
            "java.lang.Enum", "java.lang.Record", "java.lang.reflect.Proxy", "java.lang.invoke.SerializedLambda", "java.lang.Object",
            "java.math.BigInteger", "java.math.BigDecimal", "java.util.UUID", "java.util.Date",
            "java.util.ArrayList", "java.util.LinkedList", "java.util.ArrayDeque", "java.util.HashMap",
            "java.util.LinkedHashMap", "java.util.TreeMap", "java.util.HashSet", "java.util.LinkedHashSet",
            "java.util.TreeSet", "java.util.EnumMap", "java.util.Optional", "java.util.Arrays$ArrayList",
            "java.util.ImmutableCollections$ListN", "java.util.ImmutableCollections$List12",
            "java.util.ImmutableCollections$SetN", "java.util.ImmutableCollections$Set12",
            "java.util.ImmutableCollections$MapN", "java.util.ImmutableCollections$Map1",
            "java.util.CollSer", "java.util.Collections$UnmodifiableList",
            "java.util.Collections$UnmodifiableRandomAccessList", "java.util.Collections$UnmodifiableMap",
            "java.util.Collections$UnmodifiableSet", "java.util.Collections$EmptyList",
            "java.util.Collections$EmptyMap", "java.util.Collections$EmptySet",
            "java.util.Collections$SingletonList", "java.util.Collections$SingletonMap",
            "java.util.Collections$SingletonSet", "java.util.Map$Entry", "java.util.KeyValueHolder",
            "java.util.AbstractMap$SimpleEntry", "java.util.AbstractMap$SimpleImmutableEntry");
    private static final List<String> JDK_PACKAGES = List.of("java.time.");
    private static final String SPINDLE_PACKAGE = "dev.spindle.";

    private final Set<String> allowedClasses;
    private final List<String> allowedPackages;
    private final SerializationLimits limits;

    private JavaSerializer(Set<String> classes, List<String> packages, SerializationLimits limits) {
        this.allowedClasses = classes;
        this.allowedPackages = packages;
        this.limits = limits;
    }

    /** The serializer with the default allow-list and {@link SerializationLimits#DEFAULT}. */
    public static JavaSerializer defaults() {
        return new JavaSerializer(Set.of(), List.of(), SerializationLimits.DEFAULT);
    }

    /** A serializer like this one that decodes graphs up to {@code limits}. */
    public JavaSerializer limits(SerializationLimits limits) {
        return new JavaSerializer(allowedClasses, allowedPackages, Objects.requireNonNull(limits, "limits"));
    }

    /** The bounds this serializer decodes within. */
    public SerializationLimits limits() {
        return limits;
    }

    /** A serializer that also allows these classes. */
    public JavaSerializer allow(Class<?>... classes) {
        List<String> names = new java.util.ArrayList<>();
        for (Class<?> c : classes) {
            names.add(Objects.requireNonNull(c, "class").getName());
        }
        return allowNames(names);
    }

    /** A serializer that also allows the classes with these names. */
    JavaSerializer allowNames(java.util.Collection<String> classNames) {
        Set<String> more = new java.util.HashSet<>(allowedClasses);
        more.addAll(classNames);
        return new JavaSerializer(Set.copyOf(more), allowedPackages, limits);
    }

    /**
     * A serializer that also allows the classes whose code {@code task} runs: a serializable
     * lambda's or method reference's capturing class, else the task's own class, and their nest
     * hosts. What a {@link Process} or a pool allows for a task of the user's, so that the task
     * itself crosses without an {@link #allow} of its own.
     */
    public JavaSerializer allowCodeOf(Object task) {
        return allowNames(definingClasses(Objects.requireNonNull(task, "task")));
    }

    /**
     * The names of the classes whose code {@code task} runs: a serializable lambda's capturing
     * class, else the task's own class, and their nest hosts. What {@link #allowCodeOf} allows;
     * for a receiver that must allow the same classes before it has the task (a cluster node).
     */
    public static Set<String> codeClassesOf(Object task) {
        return Set.copyOf(definingClasses(Objects.requireNonNull(task, "task")));
    }

    /** The classes whose code the task runs: a lambda's capturing class, else the task's class, and their nest hosts. */
    static Set<String> definingClasses(Object task) {
        Set<String> names = new java.util.LinkedHashSet<>();
        Class<?> type = task.getClass();
        if (type.isSynthetic() || type.isHidden()) {
            try {
                java.lang.reflect.Method writeReplace = type.getDeclaredMethod("writeReplace");
                writeReplace.setAccessible(true);
                java.lang.invoke.SerializedLambda lambda = (java.lang.invoke.SerializedLambda) writeReplace.invoke(task);
                String capturing = lambda.getCapturingClass().replace('/', '.');
                names.add(capturing);
                type = Class.forName(capturing, false, type.getClassLoader());
            } catch (ReflectiveOperationException | RuntimeException e) {
                // Not a serializable lambda after all; fall through to its own class.
            }
        }
        names.add(type.getName());
        names.add(type.getNestHost().getName());
        return names;
    }

    /** The default serializer widened by these class names and packages: what a task order carries. */
    static JavaSerializer allowing(java.util.Collection<String> classNames,
            java.util.Collection<String> packageNames, SerializationLimits limits) {
        JavaSerializer serializer = defaults().limits(limits).allowNames(classNames);
        for (String p : packageNames) {
            serializer = serializer.allowPackage(p);
        }
        return serializer;
    }

    /** The classes this serializer allows beyond the defaults. */
    Set<String> allowedClasses() {
        return allowedClasses;
    }

    /** The packages this serializer allows beyond the defaults. */
    List<String> allowedPackages() {
        return allowedPackages;
    }

    /** A serializer that also allows every class in {@code packageName} and its subpackages. */
    public JavaSerializer allowPackage(String packageName) {
        List<String> more = new java.util.ArrayList<>(allowedPackages);
        more.add(Objects.requireNonNull(packageName, "packageName").endsWith(".") ? packageName : packageName + ".");
        return new JavaSerializer(allowedClasses, List.copyOf(more), limits);
    }

    @Override
    public byte[] encode(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    @Override
    public Object decode(byte[] bytes) throws IOException {
        AtomicReference<InvalidClassException> refused = new AtomicReference<>();
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(info -> check(info, refused));
            return in.readObject();
        } catch (InvalidClassException e) {
            InvalidClassException named = refused.get();
            if (named != null) {
                named.initCause(e);
                throw named;
            }
            throw e;
        } catch (ClassNotFoundException e) {
            throw new InvalidClassException(e.getMessage(), "is not on this process's class path; "
                    + "start the child with the parent's class path");
        }
    }

    private ObjectInputFilter.Status check(ObjectInputFilter.FilterInfo info,
            AtomicReference<InvalidClassException> refused) {
        SerializationLimitException over = null;
        if (info.depth() > limits.maxDepth()) {
            over = new SerializationLimitException(SerializationLimitException.Limit.DEPTH, info.depth(),
                    limits.maxDepth());
        } else if (info.references() > limits.maxReferences()) {
            over = new SerializationLimitException(SerializationLimitException.Limit.REFERENCES, info.references(),
                    limits.maxReferences());
        } else if (info.arrayLength() > limits.maxArrayLength()) {
            over = new SerializationLimitException(SerializationLimitException.Limit.ARRAY_LENGTH, info.arrayLength(),
                    limits.maxArrayLength());
        }
        if (over != null) {
            refused.compareAndSet(null, over);
            return ObjectInputFilter.Status.REJECTED;
        }
        Class<?> type = info.serialClass();
        if (type == null) {
            return ObjectInputFilter.Status.UNDECIDED;
        }
        while (type.isArray()) {
            type = type.getComponentType();
        }
        if (type.isPrimitive() || allowed(type)) {
            return ObjectInputFilter.Status.ALLOWED;
        }
        refused.compareAndSet(null, new ClassNotAllowedException(type.getName()));
        return ObjectInputFilter.Status.REJECTED;
    }

    private boolean allowed(Class<?> type) {
        if (java.lang.reflect.Proxy.isProxyClass(type)) {
            // A proxy does what its handler does; the handler's class is checked on its own, and so
            // must every interface be (a manager's proxies of registered types are such).
            for (Class<?> face : type.getInterfaces()) {
                if (!allowed(face)) {
                    return false;
                }
            }
            return true;
        }
        String name = type.getName();
        int lambda = name.indexOf("$$Lambda");
        if (type.isHidden() && lambda > 0) {
            // A deserialized lambda: readResolve's result is a class the capturing class spun, so
            // the capturing class's standing decides (the filter checked it when its SerializedLambda arrived).
            name = name.substring(0, lambda);
        }
        if (JDK_CLASSES.contains(name) || allowedClasses.contains(name) || name.startsWith(SPINDLE_PACKAGE)) {
            return true;
        }
        for (String p : JDK_PACKAGES) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        for (String p : allowedPackages) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
