package dev.spindle.fory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.process.ClassNotAllowedException;
import dev.spindle.process.JavaSerializer;
import java.io.InvalidObjectException;
import java.io.NotSerializableException;
import java.io.StreamCorruptedException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.Vector;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.fory.Fory;
import org.apache.fory.serializer.ObjectSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ForySerializerTest {

    record Point(int x, String label) {
    }

    record Route(String name, List<Point> stops, Map<String, Point> byLabel, byte[] checksum) {
    }

    record Unregistered(int value) {
    }

    /** A mutable node, for shared references and cycles. */
    static final class Node {
        Node next;
        int value;
    }

    @Test
    void recordsStringsByteArraysAndCollectionsComeBackEqual() throws Exception {
        ForySerializer fory = ForySerializer.registering(Point.class, Route.class);
        Point a = new Point(1, "a");
        Point b = new Point(-2, "b with ümlauts and 漢字");
        Route route = new Route("r", List.of(a, b), Map.of("a", a), new byte[] {1, 2, 3});

        Route back = (Route) roundTrip(fory, route);
        assertThat(back.name()).isEqualTo("r");
        assertThat(back.stops()).containsExactly(a, b);
        assertThat(back.byLabel()).containsExactly(Map.entry("a", a));
        assertThat(back.checksum()).containsExactly(1, 2, 3);
        assertThat(roundTrip(fory, a)).isEqualTo(a);
        assertThat(roundTrip(fory, "hello")).isEqualTo("hello");
        assertThat((byte[]) roundTrip(fory, new byte[70_000])).hasSize(70_000);
        assertThat(roundTrip(fory, new ArrayList<>(List.of(a, "mixed", 3L)))).isEqualTo(List.of(a, "mixed", 3L));
        assertThat(roundTrip(fory, new HashMap<>(Map.of(1, List.of(b))))).isEqualTo(Map.of(1, List.of(b)));
        assertThat(roundTrip(fory, Set.of(a, b))).isEqualTo(Set.of(a, b));
        assertThat((Point[]) roundTrip(fory, new Point[] {a, null, b})).containsExactly(a, null, b);
        assertThat(roundTrip(fory, null)).isNull();
    }

    @Test
    void theJdkTypesTheJavadocListsCrossWithoutRegistration() throws Exception {
        ForySerializer fory = ForySerializer.registering();
        List<Object> values = List.of("s", 1, 2L, 3.0, 4.0f, (short) 5, (byte) 6, 'c', true,
                new ArrayList<>(List.of(1)), new LinkedList<>(List.of(1)), new Vector<>(List.of(1)),
                new CopyOnWriteArrayList<>(List.of(1)), new HashMap<>(Map.of("a", 1)),
                new LinkedHashMap<>(Map.of("a", 1)), new TreeMap<>(Map.of("a", 1)),
                new ConcurrentHashMap<>(Map.of("a", 1)), new HashSet<>(Set.of(1)), new LinkedHashSet<>(Set.of(1)),
                new TreeSet<>(Set.of(1)), List.of(), List.of(1), List.of(1, 2, 3), Set.of(1), Set.of(1, 2, 3),
                Map.of(), Map.of("a", 1), Map.of("a", 1, "b", 2), Arrays.asList(1, 2), Collections.emptyList(),
                Collections.emptySet(), Collections.emptyMap(), Collections.singletonList(1),
                Collections.singleton(1), Collections.singletonMap("a", 1),
                Collections.unmodifiableList(new ArrayList<>(List.of(1))),
                Collections.unmodifiableSet(new HashSet<>(Set.of(1))),
                Collections.unmodifiableMap(new HashMap<>(Map.of("a", 1))), Optional.of("x"), Optional.empty(),
                OptionalInt.of(1), OptionalLong.of(2), OptionalDouble.of(3), BigInteger.TEN.pow(40),
                new BigDecimal("3.14159265358979323846"), UUID.randomUUID(), new Date(), Locale.CANADA_FRENCH,
                URI.create("http://127.0.0.1/x?y"), Instant.now(), Duration.ofMillis(1234), Period.ofDays(3),
                LocalDate.now(), LocalTime.now(), LocalDateTime.now(), OffsetDateTime.now(ZoneOffset.UTC),
                ZonedDateTime.now(ZoneOffset.ofHours(2)), ZoneOffset.ofHours(-5), Year.of(2024),
                YearMonth.of(2024, 2), MonthDay.of(2, 29));
        for (Object value : values) {
            assertThat(roundTrip(fory, value)).as(value.getClass().getName()).isEqualTo(value);
        }
        assertThat(((StringBuilder) roundTrip(fory, new StringBuilder("sb"))).toString()).isEqualTo("sb");
        assertThat(((Pattern) roundTrip(fory, Pattern.compile("a+b"))).pattern()).isEqualTo("a+b");
        assertThat(((AtomicLong) roundTrip(fory, new AtomicLong(7))).get()).isEqualTo(7);
        assertThat(new ArrayList<Object>((ArrayDeque<?>) roundTrip(fory, new ArrayDeque<>(List.of(1, 2)))))
                .containsExactly(1, 2);
        assertThat(new ArrayList<Object>((PriorityQueue<?>) roundTrip(fory, new PriorityQueue<>(List.of(2, 1)))))
                .containsExactlyInAnyOrder(1, 2);
        BitSet bits = new BitSet();
        bits.set(3);
        assertThat(roundTrip(fory, bits)).isEqualTo(bits);
        assertThat((int[]) roundTrip(fory, new int[] {1, 2})).containsExactly(1, 2);
        assertThat((String[]) roundTrip(fory, new String[] {"a", null})).containsExactly("a", null);
        assertThat((Object[]) roundTrip(fory, new Object[] {1, "a"})).containsExactly(1, "a");
    }

    @Test
    void jdkEnumsCrossOnlyOnceRegistered() throws Exception {
        assertThatThrownBy(() -> ForySerializer.registering().encode(DayOfWeek.MONDAY))
                .isInstanceOf(NotSerializableException.class).hasMessageContaining("java.time.DayOfWeek");
        ForySerializer fory = ForySerializer.registering(DayOfWeek.class, TimeUnit.class);
        assertThat(roundTrip(fory, List.of(DayOfWeek.MONDAY, TimeUnit.SECONDS)))
                .isEqualTo(List.of(DayOfWeek.MONDAY, TimeUnit.SECONDS));
    }

    @Test
    void anUnregisteredClassIsNotEncodedAndTheMessageSaysHowToRegisterIt() {
        ForySerializer fory = ForySerializer.registering(Point.class);
        assertThatThrownBy(() -> fory.encode(List.of(new Point(1, "a"), new Unregistered(2))))
                .isInstanceOf(NotSerializableException.class)
                .hasMessageContaining(Unregistered.class.getName() + " is not registered with this ForySerializer")
                .hasMessageContaining("ForySerializer.registering(ForySerializerTest.Unregistered.class");
    }

    @Test
    void bytesNamingAnUnregisteredClassAreRefusedWithClassNotAllowed() {
        ForySerializer fory = ForySerializer.registering(Point.class);
        // Another encoder, one that registers nothing and requires nothing: it writes class names.
        Fory lax = Fory.builder().requireClassRegistration(false).suppressClassRegistrationWarnings(true).build();
        byte[] forged = lax.serialize(List.of("innocent", new Unregistered(7)));

        assertThatThrownBy(() -> fory.decode(forged))
                .isInstanceOf(ClassNotRegisteredException.class)
                .isInstanceOf(ClassNotAllowedException.class)
                .hasMessageStartingWith(Unregistered.class.getName() + " is not registered with the ForySerializer")
                .hasMessageContaining("ForySerializer.registering(ForySerializerTest.Unregistered.class")
                .extracting(e -> ((ClassNotAllowedException) e).className())
                .isEqualTo(Unregistered.class.getName());
    }

    @Test
    void aGraphDeeperThanTheLimitIsRefusedAndTheMessageSaysHowToRaiseIt() throws Exception {
        ForySerializer fory = ForySerializer.registering().maxDepth(8);
        assertThat(roundTrip(fory, nested(4))).isEqualTo(nested(4));
        byte[] deep = ForySerializer.registering().encode(nested(20));
        assertThatThrownBy(() -> fory.decode(deep)).isInstanceOf(InvalidObjectException.class)
                .hasMessageContaining("limit of 8").hasMessageContaining("maxDepth(16)");
        assertThat(ForySerializer.registering().maxDepth()).isEqualTo(64);
        assertThat(roundTrip(ForySerializer.registering(), nested(60))).isEqualTo(nested(60));
        assertThatThrownBy(() -> fory.maxDepth(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCycleFailsToEncodeUntilReferencesAreTrackedThenSharedObjectsStayShared() throws Exception {
        Node loop = new Node();
        loop.value = 5;
        loop.next = loop;
        assertThatThrownBy(() -> ForySerializer.registering(Node.class).encode(loop))
                .isInstanceOf(NotSerializableException.class).hasMessageContaining("trackingReferences(true)");

        ForySerializer tracking = ForySerializer.registering(Node.class).trackingReferences(true);
        Node back = (Node) roundTrip(tracking, loop);
        assertThat(back.value).isEqualTo(5);
        assertThat(back.next).isSameAs(back);

        Point shared = new Point(1, "shared");
        List<?> twice = (List<?>) roundTrip(ForySerializer.registering(Point.class).trackingReferences(true),
                new ArrayList<>(List.of(shared, shared)));
        assertThat(twice.get(0)).isSameAs(twice.get(1));
    }

    @Test
    void aClassWhoseGeneratedSerializerDoesNotCompileIsInterpretedOnBothEnds() throws Exception {
        // Fory 0.13's generated serializer for Route does not compile: a Map field of a non-public record.
        ForySerializer sender = ForySerializer.registering(Point.class, Route.class);
        Point a = new Point(1, "a");
        byte[] bytes = sender.encode(new Route("r", List.of(a), Map.of("a", a), new byte[] {9}));
        // A receiver of its own, as in another process: it meets the failure while decoding.
        ForySerializer receiver = ForySerializer.registering(Point.class, Route.class);
        Route back = (Route) receiver.decode(bytes);
        assertThat(back.byLabel()).containsExactly(Map.entry("a", a));
        assertThat(back.checksum()).containsExactly(9);
        assertThat(((Route) receiver.decode(sender.encode(back))).stops()).containsExactly(a);
    }

    @Test
    void forysInterpretedAndGeneratedSerializersWriteTheSameBytes() throws Exception {
        // What the fallback above relies on when only one end has met the failure yet.
        Fory interpreted = Fory.builder().requireClassRegistration(true).build();
        interpreted.register(Point.class);
        interpreted.registerSerializer(Point.class, ObjectSerializer.class);
        Point p = new Point(42, "same bytes");
        ForySerializer generated = ForySerializer.registering(Point.class);
        assertThat(generated.encode(p)).isEqualTo(interpreted.serialize(p));
        assertThat(generated.decode(interpreted.serialize(p))).isEqualTo(p);
    }

    @Test
    void bytesThatAreNoEncodingFailWithStreamCorrupted() throws Exception {
        ForySerializer fory = ForySerializer.registering(Point.class);
        byte[] good = fory.encode(new Point(1, "a label long enough to cut"));
        assertThatThrownBy(() -> fory.decode(Arrays.copyOf(good, good.length - 5)))
                .isInstanceOf(StreamCorruptedException.class).hasMessageContaining("not an encoding");
        assertThatThrownBy(() -> fory.decode(new byte[0])).isInstanceOf(StreamCorruptedException.class);
    }

    @Test
    void theSerializerCrossesJavaSerializationWithItsRegistrationsAndDecodesWhatTheOriginalEncoded() throws Exception {
        ForySerializer original = ForySerializer.registering(Point.class, Route.class).trackingReferences(true)
                .maxDepth(9);
        JavaSerializer java = JavaSerializer.defaults();
        ForySerializer copy = (ForySerializer) java.decode(java.encode(original));

        assertThat(copy).isEqualTo(original).isNotSameAs(original);
        assertThat(copy.registeredClasses()).containsExactly(Point.class.getName(), Route.class.getName());
        assertThat(copy.tracksReferences()).isTrue();
        assertThat(copy.maxDepth()).isEqualTo(9);
        Point p = new Point(3, "across");
        assertThat(copy.decode(original.encode(p))).isEqualTo(p);
        assertThat(original.decode(copy.encode(p))).isEqualTo(p);
    }

    @Test
    void registrationKeepsTheFirstPlaceOfAClassAndRefusesWhatCannotBeRegistered() {
        ForySerializer fory = ForySerializer.registering(Point.class, Route.class).register(Point.class, Node.class);
        assertThat(fory.registeredClasses())
                .containsExactly(Point.class.getName(), Route.class.getName(), Node.class.getName());
        assertThatThrownBy(() -> fory.register(int.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("need no registration");
        assertThatThrownBy(() -> fory.register(Point[].class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("register the component type");
        Supplier<String> lambda = () -> "x";
        assertThatThrownBy(() -> fory.register(lambda.getClass())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hidden class");
    }

    @Test
    void manyThreadsEncodeAndDecodeAtOnceAndEachGetsItsOwnValueBack() throws Exception {
        ForySerializer fory = ForySerializer.registering(Point.class, Route.class);
        int threads = 8;
        int rounds = 3_000;
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger checked = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads,
                Thread.ofPlatform().name("fory-test-worker-", 0).factory());
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < rounds; i++) {
                        Point p = new Point(i, "thread " + thread + " round " + i);
                        Object value = i % 3 == 0
                                ? new Route("route " + thread, List.of(p, p), Map.of(p.label(), p), new byte[thread])
                                : p;
                        Object back = fory.decode(fory.encode(value));
                        if (value instanceof Route r) {
                            assertThat(((Route) back).stops()).isEqualTo(r.stops());
                            assertThat(((Route) back).byLabel()).isEqualTo(r.byLabel());
                        } else {
                            assertThat(back).isEqualTo(value);
                        }
                        checked.incrementAndGet();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(90, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(checked.get()).isEqualTo(threads * rounds);
    }

    private static Object roundTrip(ForySerializer fory, Object value) throws Exception {
        return fory.decode(fory.encode(value));
    }

    /** A list nested {@code depth} deep around a string. */
    private static Object nested(int depth) {
        Object value = "core";
        for (int i = 1; i < depth; i++) {
            value = new ArrayList<>(List.of(value));
        }
        return value;
    }
}
