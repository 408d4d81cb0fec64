package dev.spindle.process;

import org.example.gadgets.Gadget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JavaSerializerTest {

    record Point(int x, int y) implements Serializable {
    }

    private final JavaSerializer serializer = JavaSerializer.defaults();

    @Test
    void jdkValueTypesAndCollectionsRoundTrip() throws Exception {
        Map<String, Object> value = new HashMap<>();
        value.put("list", new ArrayList<>(List.of(1, 2L, 3.5, "four")));
        value.put("immutable", List.of("a", "b"));
        value.put("decimal", new BigDecimal("12.50"));
        value.put("date", LocalDate.of(2026, 11, 23));
        value.put("duration", Duration.ofSeconds(5));
        value.put("bytes", new byte[] {1, 2, 3});
        Object back = serializer.decode(serializer.encode(value));
        assertThat(back).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) back;
        assertThat(map.get("list")).isEqualTo(value.get("list"));
        assertThat(map.get("immutable")).isEqualTo(List.of("a", "b"));
        assertThat(map.get("decimal")).isEqualTo(new BigDecimal("12.50"));
        assertThat(map.get("date")).isEqualTo(LocalDate.of(2026, 11, 23));
        assertThat((byte[]) map.get("bytes")).containsExactly(1, 2, 3);
    }

    @Test
    void aClassNotOnTheAllowListIsRefusedBeforeItIsCreatedWithAMessageSayingHowToAllowIt() throws Exception {
        byte[] bytes = serializer.encode(new ArrayList<>(List.of(new Gadget("boom"))));
        int before = Gadget.resolved;
        assertThatThrownBy(() -> serializer.decode(bytes))
                .isInstanceOf(ClassNotAllowedException.class)
                .hasMessageContaining(Gadget.class.getName())
                .hasMessageContaining("allow(Gadget.class)")
                .hasMessageContaining("allowPackage(\"org.example.gadgets\")");
        assertThat(Gadget.resolved).as("readResolve never ran").isEqualTo(before);
    }

    @Test
    void allowingAClassOrItsPackageLetsItThrough() throws Exception {
        byte[] bytes = serializer.encode(new Point(3, 4));
        // Spindle's own package is allowed by default; a user's class is not.
        assertThat(serializer.decode(bytes)).isEqualTo(new Point(3, 4));
        byte[] gadget = serializer.encode(new Gadget("fine"));
        assertThatThrownBy(() -> serializer.decode(gadget)).isInstanceOf(ClassNotAllowedException.class);
        assertThat(((Gadget) serializer.allow(Gadget.class).decode(gadget)).payload()).isEqualTo("fine");
        assertThat(((Gadget) serializer.allowPackage("org.example.gadgets").decode(gadget)).payload()).isEqualTo("fine");
    }

    @Test
    void serializableLambdasRoundTrip() throws Exception {
        int base = 40;
        Callable<Integer> task = (Callable<Integer> & Serializable) () -> base + 2;
        @SuppressWarnings("unchecked")
        Callable<Integer> back = (Callable<Integer>) serializer.decode(serializer.encode(task));
        assertThat(back.call()).isEqualTo(42);
    }

    @Test
    void aLambdaIsAllowedExactlyWhenItsCapturingClassIs() throws Exception {
        byte[] bytes = serializer.encode(org.example.tasks.OutsideTasks.greeting("you"));
        assertThatThrownBy(() -> serializer.decode(bytes)).isInstanceOf(ClassNotAllowedException.class)
                .hasMessageContaining("org.example.tasks.OutsideTasks");
        Object back = serializer.allow(org.example.tasks.OutsideTasks.class).decode(bytes);
        assertThat(((Callable<?>) back).call()).isEqualTo("hello, you");
    }

    @Test
    void deeplyNestedGraphsAreRefusedNamingTheDepthLimit() throws Exception {
        byte[] bytes = serializer.encode(nested(200));
        assertThatThrownBy(() -> serializer.decode(bytes)).isInstanceOf(SerializationLimitException.class)
                .hasMessageContaining("nesting depth reached 65, over the limit of 64")
                .hasMessageContaining("SerializationLimits.DEFAULT.withMaxDepth(128)")
                .hasMessageContaining("Process.serializationLimits")
                .satisfies(e -> assertThat(((SerializationLimitException) e).limit())
                        .isEqualTo(SerializationLimitException.Limit.DEPTH));
        assertThat(serializer.limits(SerializationLimits.DEFAULT.withMaxDepth(1000)).decode(bytes)).isEqualTo(nested(200));
    }

    @ParameterizedTest
    @EnumSource(SerializationLimitException.Limit.class)
    void eachLimitIsNamedWithTheValueThatCrossedItAndRaisingItLetsTheGraphThrough(
            SerializationLimitException.Limit limit) throws Exception {
        Object graph = switch (limit) {
            case DEPTH -> nested(20);
            // The filter sees references as the stream reads them back, so repeat one object.
            case REFERENCES -> new ArrayList<>(java.util.Collections.nCopies(500, new Point(1, 2)));
            case ARRAY_LENGTH -> new int[1000];
        };
        SerializationLimits tight = switch (limit) {
            case DEPTH -> SerializationLimits.DEFAULT.withMaxDepth(10);
            case REFERENCES -> SerializationLimits.DEFAULT.withMaxReferences(100);
            case ARRAY_LENGTH -> SerializationLimits.DEFAULT.withMaxArrayLength(100);
        };
        byte[] bytes = serializer.encode(graph);
        SerializationLimitException over = (SerializationLimitException) org.assertj.core.api.Assertions
                .catchThrowable(() -> serializer.limits(tight).decode(bytes));
        assertThat(over).isNotNull();
        assertThat(over.limit()).isEqualTo(limit);
        assertThat(over.value()).isGreaterThan(over.maximum());
        assertThat(over.maximum()).isIn(10L, 100L);
        assertThat(over).hasMessageContaining("over the limit of " + over.maximum());
        assertThat(serializer.decode(bytes)).as("within the default limits").isNotNull();
    }

    @Test
    void limitsMustBePositive() {
        assertThatThrownBy(() -> new SerializationLimits(0, 1, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be positive");
        assertThatThrownBy(() -> SerializationLimits.DEFAULT.withMaxArrayLength(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<Object> nested(int depth) {
        List<Object> outer = new ArrayList<>();
        List<Object> current = outer;
        for (int i = 0; i < depth; i++) {
            List<Object> next = new ArrayList<>();
            current.add(next);
            current = next;
        }
        return outer;
    }
}
