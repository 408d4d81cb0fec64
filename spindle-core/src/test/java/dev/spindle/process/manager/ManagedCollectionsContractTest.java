package dev.spindle.process.manager;

import dev.spindle.process.JavaCommand;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A managed map and list keep the {@code java.util} contracts, checked against a plain map and list. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagedCollectionsContractTest {

    private static Manager manager;

    @BeforeAll
    static void startTheManager() throws Exception {
        manager = Manager.start();
    }

    @AfterAll
    static void closeTheManager() throws Exception {
        manager.close();
        JavaCommand.noChildOutlivesTheTests();
    }

    @Test
    void aMapEqualsAPlainMapWithTheSameEntriesAndHashesAlike() {
        ManagedMap<String, Integer> managed = manager.dict(Map.of("a", 1, "b", 2));
        Map<String, Integer> plain = new HashMap<>(Map.of("a", 1, "b", 2));
        assertThat(managed.equals(plain)).isTrue();
        assertThat(plain.equals(managed)).isTrue();
        assertThat(managed.hashCode()).isEqualTo(plain.hashCode());
        assertThat(managed.keySet()).isEqualTo(plain.keySet());
        assertThat(new ArrayList<>(managed.values())).containsExactlyInAnyOrderElementsOf(plain.values());
        assertThat(managed.entrySet()).isEqualTo(plain.entrySet());
        plain.put("c", 3);
        assertThat(managed.equals(plain)).isFalse();
    }

    @Test
    void aMapReturnsWhatEachMethodOfMapSaysAndKeepsInsertionOrder() {
        ManagedMap<String, Integer> m = manager.dict();
        assertThat(m.isEmpty()).isTrue();
        assertThat(m.put("z", 1)).isNull();
        assertThat(m.put("z", 2)).isEqualTo(1);
        assertThat(m.putIfAbsent("z", 3)).isEqualTo(2);
        assertThat(m.putIfAbsent("a", 4)).isNull();
        assertThat(m.replace("a", 5)).isEqualTo(4);
        assertThat(m.replace("nothing", 5)).isNull();
        assertThat(m.replace("a", 4, 6)).isFalse();
        assertThat(m.replace("a", 5, 6)).isTrue();
        assertThat(m.remove("a", 5)).isFalse();
        assertThat(m.containsKey("a")).isTrue();
        assertThat(m.containsValue(6)).isTrue();
        assertThat(m.getOrDefault("q", -1)).isEqualTo(-1);
        assertThat(m.computeIfAbsent("m", k -> 7)).isEqualTo(7);
        assertThat(m.compute("m", (k, v) -> v + 1)).isEqualTo(8);
        assertThat(m.merge("m", 10, Integer::sum)).isEqualTo(18);
        assertThat(m.computeIfPresent("m", (k, v) -> null)).isNull();
        assertThat(m).doesNotContainKey("m");
        assertThat(m.keySet()).containsExactly("z", "a");
        assertThat(m).hasToString("{z=2, a=6}");
        assertThat(m.remove("z")).isEqualTo(2);
        assertThat(m.size()).isEqualTo(1);
        m.putAll(new LinkedHashMap<>(Map.of("p", 1)));
        assertThat(m.copy()).isEqualTo(Map.of("a", 6, "p", 1));
        m.clear();
        assertThat(m).isEmpty();
    }

    @Test
    void aMapsViewsRemoveAndSetThroughToTheMap() {
        ManagedMap<String, Integer> m = manager.dict(Map.of("a", 1, "b", 2, "c", 3));
        m.keySet().remove("a");
        m.values().remove(2);
        assertThat(m).containsOnlyKeys("c");
        for (Map.Entry<String, Integer> e : m.entrySet()) {
            e.setValue(30);
        }
        assertThat(m.get("c")).isEqualTo(30);
        Iterator<String> keys = m.keySet().iterator();
        assertThatThrownBy(keys::remove).isInstanceOf(IllegalStateException.class);
        keys.next();
        keys.remove();
        assertThat(m).isEmpty();
        m.put("x", 1);
        m.entrySet().clear();
        assertThat(m).isEmpty();
    }

    @Test
    void aMapRefusesNullKeysAndValuesAsAConcurrentHashMapDoes() {
        ManagedMap<String, Integer> m = manager.dict();
        assertThatThrownBy(() -> m.put(null, 1)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> m.put("a", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> m.get(null)).isInstanceOf(NullPointerException.class);
        assertThat(m).isEmpty();
    }

    @Test
    void aListEqualsAPlainListWithTheSameElementsInOrder() {
        ManagedList<Integer> managed = manager.list(List.of(1, 2, 3));
        List<Integer> plain = new ArrayList<>(List.of(1, 2, 3));
        assertThat(managed.equals(plain)).isTrue();
        assertThat(plain.equals(managed)).isTrue();
        assertThat(managed.hashCode()).isEqualTo(plain.hashCode());
        assertThat(managed).hasToString(plain.toString());
        assertThat(managed.equals(List.of(3, 2, 1))).isFalse();
    }

    @Test
    void aListReturnsWhatEachMethodOfListSays() {
        ManagedList<String> l = manager.list();
        assertThat(l.add("a")).isTrue();
        l.add(0, "b");
        l.add(null);
        assertThat(l).containsExactly("b", "a", null);
        assertThat(l.set(2, "c")).isNull();
        assertThat(l.indexOf("a")).isEqualTo(1);
        assertThat(l.lastIndexOf("zz")).isEqualTo(-1);
        assertThat(l.contains("c")).isTrue();
        assertThat(l.remove("b")).isTrue();
        assertThat(l.remove(0)).isEqualTo("a");
        assertThat(l.addAll(List.of("d", "e"))).isTrue();
        assertThat(l.addAll(1, List.of("x"))).isTrue();
        assertThat(l).containsExactly("c", "x", "d", "e");
        assertThat(l.subList(1, 3)).containsExactly("x", "d");
        l.removeIf(s -> s.equals("x") || s.equals("e"));
        assertThat(l.copy()).containsExactly("c", "d");
        assertThat(l.toArray()).containsExactly("c", "d");
        l.sort(java.util.Comparator.reverseOrder());
        assertThat(l).containsExactly("d", "c");
        l.clear();
        assertThat(l.isEmpty()).isTrue();
    }

    @Test
    void aListOutOfRangeThrowsIndexOutOfBounds() {
        ManagedList<String> l = manager.list(List.of("a"));
        assertThatThrownBy(() -> l.get(5)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> l.remove(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> l.set(1, "b")).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(l).containsExactly("a");
    }
}
