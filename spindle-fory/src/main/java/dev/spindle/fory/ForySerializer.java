package dev.spindle.fory;

import dev.spindle.process.JavaSerializer;
import dev.spindle.process.SerializationLimits;
import dev.spindle.process.Serializer;

import java.io.IOException;
import java.io.InvalidClassException;
import java.io.InvalidObjectException;
import java.io.NotSerializableException;
import java.io.ObjectStreamException;
import java.io.Serial;
import java.io.Serializable;
import java.io.StreamCorruptedException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.fory.Fory;
import org.apache.fory.codegen.CodegenException;
import org.apache.fory.config.Language;
import org.apache.fory.exception.InsecureException;
import org.apache.fory.logging.LogLevel;
import org.apache.fory.logging.LoggerFactory;
import org.apache.fory.serializer.ObjectSerializer;

/**
 * A {@link Serializer} on Apache Fory: several times faster than {@link JavaSerializer} for small
 * objects, with class registration as its allow-list. Only the classes registered with it, and
 * the JDK types Fory handles natively (below), are encoded or decoded; anything else fails, and a
 * refused class is never instantiated.
 *
 * <pre>{@code
 * record Reading(int sensor, String unit) {}
 *
 * Pipe pipe = Pipe.open(true, ForySerializer.registering(Reading.class));
 * PipeConnection childEnd = pipe.right();
 * try (Process<String> child = Process.callable(() -> {
 *         childEnd.send(new Reading(7, "kPa"));     // encoded in the child, with the same registrations
 *         return "sent";
 *     }).start()) {
 *     Reading r = (Reading) pipe.left().recv();
 * }
 * }</pre>
 *
 * <h2>What crosses without registration</h2>
 * What Fory 0.13 serializes with built-in serializers, checked by this module's tests:
 * {@code null}; {@code String}, the boxed primitives, {@code StringBuilder}; arrays of primitives,
 * of {@code String}, of {@code Object} and of registered classes; {@code ArrayList},
 * {@code LinkedList}, {@code ArrayDeque}, {@code Vector}, {@code CopyOnWriteArrayList},
 * {@code PriorityQueue}, {@code HashMap}, {@code LinkedHashMap}, {@code TreeMap},
 * {@code ConcurrentHashMap}, {@code HashSet}, {@code LinkedHashSet}, {@code TreeSet},
 * {@code BitSet}; {@code List.of}, {@code Set.of}, {@code Map.of}, {@code Arrays.asList} and
 * {@code Collections}' empty, singleton and unmodifiable lists, sets and maps; {@code Optional}
 * and {@code OptionalInt}/{@code Long}/{@code Double}; {@code BigInteger}, {@code BigDecimal},
 * {@code UUID}, {@code Date}, {@code Locale}, {@code URI}, {@code Pattern}, the atomic numbers;
 * {@code java.time}'s {@code Instant}, {@code Duration}, {@code Period}, {@code LocalDate},
 * {@code LocalTime}, {@code LocalDateTime}, {@code OffsetDateTime}, {@code ZonedDateTime},
 * {@code ZoneOffset}, {@code Year}, {@code YearMonth} and {@code MonthDay}. Everything else needs
 * {@link #register}, JDK enums ({@code TimeUnit}, {@code DayOfWeek}) and the collections of them
 * ({@code EnumSet}, {@code EnumMap}) included, and so do {@code Hashtable}, {@code Map.entry},
 * {@code AbstractMap.SimpleEntry} and region zones ({@code ZoneId.of("Europe/Paris")}). Classes
 * need not implement {@link Serializable}; records are encoded by their components.
 *
 * <h2>Crossing into children</h2>
 * The serializer is itself {@link Serializable}: a {@link dev.spindle.process.PipeConnection} a
 * task captures carries it into the child, as the names of its registered classes (in order), its
 * reference tracking and its depth limit. The child looks the classes up on its class path (its
 * parent's) without initializing them, and builds its Fory engines on first use. The class names
 * cross inside the task, which {@link JavaSerializer}'s allow-list admits ({@code dev.spindle.}
 * classes and JDK lists of strings).
 *
 * <h2>Threads</h2>
 * Immutable and thread-safe: {@link #register}, {@link #trackingReferences(boolean)} and
 * {@link #maxDepth(int)} return new serializers. A Fory engine serves one call at a time; each
 * {@code encode} or {@code decode} takes an idle engine from this serializer's own pool, or builds
 * one when none is idle (a millisecond or two), and puts it back afterwards; up to
 * {@code max(4, 2 × cores)} idle engines are kept. Concurrent calls never wait for each other.
 *
 * <h2>Errors</h2>
 * {@code encode} throws {@link NotSerializableException} for an unregistered class (naming it) or
 * a graph that refers back to itself without {@linkplain #trackingReferences(boolean) reference
 * tracking}, and an {@link IOException} for anything else Fory refuses. {@code decode} throws
 * {@link ClassNotRegisteredException} (a {@link dev.spindle.process.ClassNotAllowedException}) for
 * an unregistered class, {@link InvalidObjectException} for nesting deeper than
 * {@link #maxDepth()}, and {@link StreamCorruptedException} for bytes Fory cannot read. Not every
 * damaged message is detected (Fory's format has no checksum); the pipe delivers messages whole.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>Registration order is the encoding: both ends must register the same classes in the same
 *       order. The two ends of a pipe share one serializer, so they always do; two serializers
 *       built separately with another order would decode one class as another, or fail.</li>
 *   <li>Both ends must have the same version of every class (Fory's schema-consistent mode), as a
 *       child on its parent's class path does. This is not a format to store.</li>
 *   <li>No reference tracking by default (Fory's default, and the fast one): an object reached
 *       twice arrives as two copies, and a cycle fails to encode. {@code trackingReferences(true)}
 *       keeps shared references and cycles, as Java serialization does, at some cost.</li>
 *   <li>Unlike {@link JavaSerializer}, it bounds only the depth of a graph, not its number of
 *       objects nor its array and collection lengths ({@link SerializationLimits}): a forged
 *       message that claims a huge length can allocate that much before failing. Only a peer that
 *       proved the run's key can send one.</li>
 *   <li>Fory lets serializable lambdas and JDK dynamic proxies through without registration. A
 *       lambda is rebuilt by its capturing class's {@code $deserializeLambda$}, which makes only
 *       lambdas that class itself defines (as with Java serialization); a proxy's invocation
 *       handler must be registered.</li>
 *   <li>A refused class is looked up by name, and so loaded (never initialized nor instantiated),
 *       as {@code ObjectInputStream} does.</li>
 *   <li>The first message of each class in each JVM pays Fory's code generation for it, tens of
 *       milliseconds; the first engine in a JVM a few more. A child's first send is that much slower.</li>
 *   <li>Fory 0.13 generates code that does not compile for some classes: those with a {@code Map}
 *       field whose key or value type is a record or class that is not public, and non-public
 *       classes with a {@code Map<?, Object>} field. The first time that happens to a registered
 *       class, this serializer finds every such registered class and encodes them with Fory's
 *       interpreted serializer (same bytes, several times slower; logged at DEBUG), and the call
 *       goes through. Making those classes public keeps them on generated code.</li>
 *   <li>No {@code --add-opens} is needed, on JDK 21 to 25 (checked on 25): Fory reaches fields
 *       through {@code sun.misc.Unsafe}. From JDK 24 on, the first use of Fory in each JVM, each
 *       child included, prints a four-line warning on standard error that
 *       {@code sun.misc.Unsafe::arrayBaseOffset} is deprecated for removal (JEP 471/498). The JVM
 *       option {@code --sun-misc-unsafe-memory-access=allow} (JDK 23 and later only; older JVMs
 *       refuse to start with it) silences it; child JVMs do not get their parent's options, so
 *       give it to them through the {@code JDK_JAVA_OPTIONS} environment variable (the launcher
 *       then prints one "Picked up" line instead). A JDK that removes those methods needs a newer
 *       Fory.</li>
 *   <li>Fory's own logger prints to {@code System.out} (unless SLF4J is on the class path), at
 *       INFO for every engine built and every class compiled. The first engine this class builds
 *       in a JVM lowers that global level from INFO to WARN, so that children do not print into
 *       the parent's output; {@code LoggerFactory.setLogLevel} sets it back.</li>
 * </ul>
 */
public final class ForySerializer implements Serializer, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The deepest nesting decoded by default: the same as {@link SerializationLimits#DEFAULT}'s. */
    public static final int DEFAULT_MAX_DEPTH = SerializationLimits.DEFAULT.maxDepth();

    private static final System.Logger LOG = System.getLogger(ForySerializer.class.getName());
    private static final int MAX_IDLE_ENGINES = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    private static final AtomicBoolean FORY_LOGGING_LOWERED = new AtomicBoolean();
    /** Fory names the class in an {@link InsecureException} as {@code Class.toString()} gives it. */
    private static final Pattern NOT_REGISTERED =
            Pattern.compile("(?:class |interface )?([\\p{L}\\p{N}_$.\\[;]+) is not registered");

    private final List<String> classNames;
    private final boolean trackingReferences;
    private final int maxDepth;

    private final transient List<Class<?>> classes;
    // Our own pool rather than Fory's ThreadSafeFory: ThreadLocalFory builds an engine per thread
    // (per task, with a virtual thread per task), and ThreadPoolFory logs every failure, a refused
    // class included, at ERROR with its stack trace, blocks when its maximum is reached and
    // wraps everything in RuntimeException.
    private final transient ConcurrentLinkedDeque<Engine> idle;
    private final transient AtomicInteger idleCount;
    /** Registered classes whose generated serializer does not compile here; engines interpret them. */
    private final transient Set<Class<?>> interpreted;
    /** Bumped when {@link #interpreted} grows: engines built before are dropped. */
    private final transient AtomicInteger generation;
    private final transient ReentrantLock fallbackLock;

    private ForySerializer(List<Class<?>> classes, boolean trackingReferences, int maxDepth) {
        this.classes = List.copyOf(classes);
        this.classNames = this.classes.stream().map(Class::getName).toList();
        this.trackingReferences = trackingReferences;
        this.maxDepth = maxDepth;
        this.idle = new ConcurrentLinkedDeque<>();
        this.idleCount = new AtomicInteger();
        this.interpreted = ConcurrentHashMap.newKeySet();
        this.generation = new AtomicInteger();
        this.fallbackLock = new ReentrantLock();
    }

    /**
     * A serializer that allows these classes besides the JDK types Fory handles natively, without
     * reference tracking and with a depth limit of {@link #DEFAULT_MAX_DEPTH}.
     *
     * @throws IllegalArgumentException for a primitive, an array or a hidden class (see {@link #register})
     */
    public static ForySerializer registering(Class<?>... classes) {
        return new ForySerializer(List.of(), false, DEFAULT_MAX_DEPTH).register(classes);
    }

    /**
     * A serializer like this one that also allows {@code classes}, registered after this one's in
     * the order given; a class already registered keeps its place. Register what a message may hold
     * at any depth: a record's component types too, unless natively handled.
     *
     * @throws IllegalArgumentException for a primitive or an array class (primitives and arrays of
     *                                  registered classes need none), or a hidden class such as a
     *                                  lambda's, which another JVM cannot look up by name
     */
    public ForySerializer register(Class<?>... classes) {
        Set<Class<?>> all = new LinkedHashSet<>(this.classes);
        for (Class<?> c : classes) {
            Objects.requireNonNull(c, "class");
            if (c.isPrimitive() || c.isArray()) {
                throw new IllegalArgumentException(c.getTypeName() + " cannot be registered: primitives, and arrays "
                        + "of primitives or of registered classes, need no registration; register the component type");
            }
            if (c.isHidden()) {
                throw new IllegalArgumentException(c.getName() + " is a hidden class (a lambda's?), which a child JVM "
                        + "cannot look up by name, so it cannot be registered");
            }
            all.add(c);
        }
        return new ForySerializer(new ArrayList<>(all), trackingReferences, maxDepth);
    }

    /**
     * A serializer like this one that keeps shared references and cycles ({@code true}), as Java
     * serialization does, or encodes an object once per reference and fails on a cycle
     * ({@code false}, the default and the faster).
     */
    public ForySerializer trackingReferences(boolean tracking) {
        return new ForySerializer(classes, tracking, maxDepth);
    }

    /**
     * A serializer like this one that decodes objects nested up to {@code depth} deep, as Fory
     * counts it (about one level per nested object: the default, 64, admits 60 nested lists);
     * deeper messages fail with {@link InvalidObjectException}. Encoding is not bounded.
     *
     * @throws IllegalArgumentException if {@code depth} is not positive
     */
    public ForySerializer maxDepth(int depth) {
        if (depth < 1) {
            throw new IllegalArgumentException("the maximum depth must be positive, got " + depth);
        }
        return new ForySerializer(classes, trackingReferences, depth);
    }

    /** The registered classes' names, in registration order. */
    public List<String> registeredClasses() {
        return classNames;
    }

    /** Whether shared references and cycles are kept. */
    public boolean tracksReferences() {
        return trackingReferences;
    }

    /** The deepest nesting this serializer decodes. */
    public int maxDepth() {
        return maxDepth;
    }

    /**
     * Encodes {@code value} with Fory.
     *
     * @throws NotSerializableException when the value holds a class that is not registered (the
     *                                  message names it), or refers back to itself while references
     *                                  are not tracked
     * @throws IOException              when Fory fails to encode it otherwise
     */
    @Override
    public byte[] encode(Object value) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Engine engine = take();
            byte[] bytes;
            try {
                bytes = engine.fory().serialize(value);
            } catch (RuntimeException e) {
                // The engine is dropped: its state after a failure halfway through is Fory's business.
                if (attempt == 0 && interpretWhatFailedToCompile(e, engine)) {
                    continue;
                }
                throw encodeFailure(value, e);
            }
            putBack(engine);
            return bytes;
        }
    }

    /**
     * Decodes what {@link #encode} made, with the same registrations.
     *
     * @throws ClassNotRegisteredException when the bytes name a class that is not registered; it
     *                                     was not initialized nor instantiated
     * @throws InvalidObjectException      when the objects nest deeper than {@link #maxDepth()}
     * @throws StreamCorruptedException    when the bytes are not such an encoding
     */
    @Override
    public Object decode(byte[] bytes) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        for (int attempt = 0; ; attempt++) {
            Engine engine = take();
            Object value;
            try {
                value = engine.fory().deserialize(bytes);
            } catch (RuntimeException e) {
                if (attempt == 0 && interpretWhatFailedToCompile(e, engine)) {
                    continue;
                }
                throw decodeFailure(e);
            }
            putBack(engine);
            return value;
        }
    }

    /** A Fory instance, and the generation of this serializer's set of interpreted classes it was built with. */
    private record Engine(Fory fory, int generation) {
    }

    private Engine take() {
        for (Engine engine; (engine = idle.pollFirst()) != null; ) {
            idleCount.decrementAndGet();
            if (engine.generation() == generation.get()) {
                return engine;
            }
        }
        return build();
    }

    private void putBack(Engine engine) {
        if (engine.generation() != generation.get()) {
            return;
        }
        if (idleCount.incrementAndGet() <= MAX_IDLE_ENGINES) {
            idle.offerFirst(engine);
        } else {
            idleCount.decrementAndGet();
        }
    }

    private Engine build() {
        if (FORY_LOGGING_LOWERED.compareAndSet(false, true) && LoggerFactory.getLogLevel() == LogLevel.INFO_LEVEL) {
            LoggerFactory.setLogLevel(LogLevel.WARN_LEVEL);
        }
        int built = generation.get();
        Fory fory = Fory.builder()
                .withLanguage(Language.JAVA)
                .requireClassRegistration(true)
                .withRefTracking(trackingReferences)
                .withMaxDepth(maxDepth)
                .withClassLoader(loader())
                .build();
        for (Class<?> c : classes) {
            fory.register(c);
            if (interpreted.contains(c)) {
                fory.registerSerializer(c, ObjectSerializer.class);
            }
        }
        return new Engine(fory, built);
    }

    /**
     * When {@code failure} is Fory failing to compile the serializer it generates for a class,
     * finds every registered class whose generated serializer does not compile and has later
     * engines use Fory's interpreted serializer for it, which writes the same bytes, more slowly.
     * Fory 0.13 generates code that does not compile for some classes, among them those with a
     * {@code Map} field of a non-public record or class, or a non-public class with a
     * {@code Map<?, Object>} field. True when the call should be tried again with a new engine.
     */
    private boolean interpretWhatFailedToCompile(RuntimeException failure, Engine failed) {
        if (!causedBy(failure, CodegenException.class)) {
            return false;
        }
        fallbackLock.lock();
        try {
            if (failed.generation() != generation.get()) {
                return true;
            }
            boolean found = false;
            Fory probe = build().fory();
            for (Class<?> c : classes) {
                if (interpreted.contains(c)) {
                    continue;
                }
                try {
                    probe.getClassResolver().getSerializer(c);
                } catch (RuntimeException e) {
                    if (!causedBy(e, CodegenException.class)) {
                        continue;
                    }
                    LOG.log(System.Logger.Level.DEBUG, () -> "Fory generated a serializer for " + c.getName()
                            + " that does not compile; it uses Fory's interpreted serializer", e);
                    interpreted.add(c);
                    found = true;
                    probe = build().fory();
                }
            }
            if (found) {
                generation.incrementAndGet();
            }
            return found;
        } finally {
            fallbackLock.unlock();
        }
    }

    private IOException encodeFailure(Object value, RuntimeException e) {
        String refused = refusedClass(e);
        IOException failure;
        if (refused != null) {
            failure = new NotSerializableException(refused + " is not registered with this ForySerializer, so it "
                    + "cannot be sent; register it on the serializer the pipe is opened with: "
                    + "ForySerializer.registering(" + simpleName(refused) + ".class, ...)");
        } else if (causedBy(e, StackOverflowError.class)) {
            failure = new NotSerializableException("the " + value.getClass().getName() + " refers back to itself "
                    + "(a cycle) or nests too deeply to encode; for cycles and shared references, use "
                    + "ForySerializer.trackingReferences(true) on both ends");
        } else {
            return new IOException("Fory could not encode the " + (value == null ? "value" : value.getClass().getName())
                    + ": " + e.getMessage(), e);
        }
        failure.initCause(e);
        return failure;
    }

    private IOException decodeFailure(RuntimeException e) {
        String refused = refusedClass(e);
        IOException failure;
        if (refused != null) {
            failure = new ClassNotRegisteredException(refused);
        } else if (insecure(e) != null) {
            // Fory's other refusal while reading: its read depth limit.
            failure = new InvalidObjectException("the message nests objects deeper than this serializer's limit of "
                    + maxDepth + ", so it was not decoded; if such messages are expected, raise it on the "
                    + "serializer both ends share: ForySerializer...maxDepth(" + 2 * maxDepth + ")");
        } else {
            failure = new StreamCorruptedException("the bytes are not an encoding of this ForySerializer's (a "
                    + "message encoded with other registrations, or not by Fory): " + e);
        }
        failure.initCause(e);
        return failure;
    }

    /** The class an {@link InsecureException} in {@code e}'s causes refuses as unregistered, or null. */
    private static String refusedClass(Throwable e) {
        InsecureException insecure = insecure(e);
        if (insecure == null || insecure.getMessage() == null) {
            return null;
        }
        Matcher m = NOT_REGISTERED.matcher(insecure.getMessage());
        return m.find() ? m.group(1) : null;
    }

    private static InsecureException insecure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InsecureException insecure) {
                return insecure;
            }
        }
        return null;
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1).replace('$', '.');
    }

    private static ClassLoader loader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : ForySerializer.class.getClassLoader();
    }

    /**
     * Rebuilds the serializer in the receiving JVM: looks its classes up by name, in order, without
     * initializing them.
     */
    @Serial
    private Object readResolve() throws ObjectStreamException {
        if (classNames == null || maxDepth < 1) {
            throw new InvalidObjectException("a ForySerializer needs its class names and a positive maximum depth");
        }
        List<Class<?>> resolved = new ArrayList<>(classNames.size());
        for (String name : classNames) {
            if (name == null) {
                throw new InvalidObjectException("a ForySerializer's registered class name is null");
            }
            try {
                resolved.add(Class.forName(name, false, loader()));
            } catch (ClassNotFoundException e) {
                InvalidClassException missing = new InvalidClassException(name, "is registered with the "
                        + "ForySerializer but is not on this JVM's class path; start it with the sender's class path");
                missing.initCause(e);
                throw missing;
            }
        }
        return new ForySerializer(resolved, trackingReferences, maxDepth);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ForySerializer other && classNames.equals(other.classNames)
                && trackingReferences == other.trackingReferences && maxDepth == other.maxDepth;
    }

    @Override
    public int hashCode() {
        return Objects.hash(classNames, trackingReferences, maxDepth);
    }

    @Override
    public String toString() {
        return "ForySerializer" + classNames + (trackingReferences ? ", tracking references" : "")
                + ", max depth " + maxDepth;
    }
}
