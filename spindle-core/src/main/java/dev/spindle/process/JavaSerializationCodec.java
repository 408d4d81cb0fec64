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
 * Java serialization behind an {@link ObjectInputFilter} allow-list: the default {@link Codec}.
 *
 * <p>Allowed out of the box: the JDK's value types ({@code String}, boxed primitives,
 * {@code BigInteger}/{@code BigDecimal}, {@code java.time}, {@code UUID}), its collections
 * ({@code java.util} lists, sets, maps and the immutable ones), arrays of allowed types and of
 * primitives, Spindle's own classes ({@code dev.spindle.}), and
 * serializable lambdas ({@code SerializedLambda}) whose defining class is allowed. Everything
 * else is refused with a {@link ClassNotAllowedException} that says how to allow it. Graphs are
 * also bounded: depth 64, 1,000,000 references, arrays of 16 M elements.
 *
 * <p>Immutable and thread-safe: {@link #allow} and {@link #allowPackage} return new codecs.
 */
public final class JavaSerializationCodec implements Codec, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private static final Set<String> JDK_CLASSES = Set.of(
            "java.lang.String", "java.lang.Boolean", "java.lang.Byte", "java.lang.Short", "java.lang.Character",
            "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double", "java.lang.Number",
            "java.lang.Enum", "java.lang.Record", "java.lang.invoke.SerializedLambda", "java.lang.Object",
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

    private JavaSerializationCodec(Set<String> classes, List<String> packages) {
        this.allowedClasses = classes;
        this.allowedPackages = packages;
    }

    /** The codec with the default allow-list. */
    public static JavaSerializationCodec defaults() {
        return new JavaSerializationCodec(Set.of(), List.of());
    }

    /** A codec that also allows these classes. */
    public JavaSerializationCodec allow(Class<?>... classes) {
        List<String> names = new java.util.ArrayList<>();
        for (Class<?> c : classes) {
            names.add(Objects.requireNonNull(c, "class").getName());
        }
        return allowNames(names);
    }

    /** A codec that also allows the classes with these names. */
    JavaSerializationCodec allowNames(java.util.Collection<String> classNames) {
        Set<String> more = new java.util.HashSet<>(allowedClasses);
        more.addAll(classNames);
        return new JavaSerializationCodec(Set.copyOf(more), allowedPackages);
    }

    /** The default codec widened by these class names and packages: what a task order carries. */
    static JavaSerializationCodec allowing(java.util.Collection<String> classNames,
            java.util.Collection<String> packageNames) {
        JavaSerializationCodec codec = defaults().allowNames(classNames);
        for (String p : packageNames) {
            codec = codec.allowPackage(p);
        }
        return codec;
    }

    /** The classes this codec allows beyond the defaults. */
    Set<String> allowedClasses() {
        return allowedClasses;
    }

    /** The packages this codec allows beyond the defaults. */
    List<String> allowedPackages() {
        return allowedPackages;
    }

    /** A codec that also allows every class in {@code packageName} and its subpackages. */
    public JavaSerializationCodec allowPackage(String packageName) {
        List<String> more = new java.util.ArrayList<>(allowedPackages);
        more.add(Objects.requireNonNull(packageName, "packageName").endsWith(".") ? packageName : packageName + ".");
        return new JavaSerializationCodec(allowedClasses, List.copyOf(more));
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
        AtomicReference<String> refused = new AtomicReference<>();
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(info -> check(info, refused));
            return in.readObject();
        } catch (InvalidClassException e) {
            if (refused.get() != null) {
                ClassNotAllowedException named = new ClassNotAllowedException(refused.get());
                named.initCause(e);
                throw named;
            }
            throw e;
        } catch (ClassNotFoundException e) {
            throw new InvalidClassException(e.getMessage(), "is not on this process's class path; "
                    + "start the child with the parent's class path");
        }
    }

    private ObjectInputFilter.Status check(ObjectInputFilter.FilterInfo info, AtomicReference<String> refused) {
        if (info.depth() > 64 || info.references() > 1_000_000 || info.arrayLength() > 16 * 1024 * 1024) {
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
        refused.compareAndSet(null, type.getName());
        return ObjectInputFilter.Status.REJECTED;
    }

    private boolean allowed(Class<?> type) {
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
