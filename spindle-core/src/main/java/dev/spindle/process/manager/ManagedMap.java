package dev.spindle.process.manager;

import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;

/**
 * A map a {@link Manager} holds, as every process that has it sees it: Python's {@code DictProxy}
 * from {@code manager.dict()}, as a {@link ConcurrentMap}. Every method is one call to the
 * manager, and each is atomic there; pass the map to tasks, put it in queues or in other managed
 * maps and lists, and every copy is the same map.
 *
 * <pre>{@code
 * try (Manager manager = Manager.start()) {
 *     ManagedMap<String, Integer> scores = manager.dict();
 *     Process.target(() -> scores.put("child", 1)).start().join();
 *     scores.get("child");                       // 1
 * }
 * }</pre>
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Like {@link java.util.concurrent.ConcurrentHashMap}, it holds no {@code null} key or value:
 *   they throw {@link NullPointerException}. Iteration is in insertion order, like a Python dict.</li>
 *   <li>{@code putIfAbsent}, {@code remove(key, value)} and both {@code replace} run atomically in
 *   the manager, so {@code compute}, {@code merge} and the other {@link ConcurrentMap} defaults,
 *   built on them, are atomic too (retrying when another process got in between); their
 *   functions run here, in the caller, never in the manager.</li>
 *   <li>{@link #entrySet()}, {@link #keySet()} and {@link #values()} are views: their size and
 *   {@code clear} are the map's; their iterators walk a copy taken when iteration starts (one
 *   call, weakly consistent, never {@link java.util.ConcurrentModificationException}), and their
 *   {@code remove} and {@link Map.Entry#setValue} change the map.</li>
 *   <li>Keys and values cross as the manager's serializer encodes them, so their classes must be on
 *   its allow-list ({@link Manager.Builder#serializer}); a value read back is a copy, except for
 *   a managed object (a map, a list, a queue ...), which is the same object.</li>
 * </ul>
 *
 * <h2>Speed</h2>
 * Each call is a round trip to the manager. {@link #set} sends without waiting for the reply (calls
 * from one thread still run in order, so a later {@code get} sees it); {@link #putAll} and
 * {@link #copy} move many entries in one call.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>A value read and changed here is a copy: {@code map.get("list").add(x)} changes nothing in
 *   the manager unless the value is itself a managed list (Python's own pitfall with nested
 *   proxies before 3.6).</li>
 *   <li>When the manager ends, every call throws {@link ManagerUnreachableException}.</li>
 * </ul>
 *
 * @param <K> the keys' type
 * @param <V> the values' type
 */
public final class ManagedMap<K, V> extends AbstractMap<K, V> implements ConcurrentMap<K, V>, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;
    private static final String GET = ManagedObject.signature(Map.class, "get", Object.class);
    private static final String PUT = ManagedObject.signature(Map.class, "put", Object.class, Object.class);
    private static final String REMOVE = ManagedObject.signature(Map.class, "remove", Object.class);
    private static final String CONTAINS_KEY = ManagedObject.signature(Map.class, "containsKey", Object.class);
    private static final String CONTAINS_VALUE = ManagedObject.signature(Map.class, "containsValue", Object.class);
    private static final String SIZE = ManagedObject.signature(Map.class, "size");
    private static final String CLEAR = ManagedObject.signature(Map.class, "clear");
    private static final String PUT_ALL = ManagedObject.signature(Map.class, "putAll", Map.class);
    private static final String PUT_IF_ABSENT = ManagedObject.signature(Map.class, "putIfAbsent", Object.class,
            Object.class);
    private static final String REMOVE_IF_MAPPED = ManagedObject.signature(Map.class, "remove", Object.class,
            Object.class);
    private static final String REPLACE = ManagedObject.signature(Map.class, "replace", Object.class, Object.class);
    private static final String REPLACE_IF_MAPPED = ManagedObject.signature(Map.class, "replace", Object.class,
            Object.class, Object.class);

    private final ManagedObject held;

    ManagedMap(ManagedObject held) {
        this.held = held;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        return (V) held.invoke(GET, Objects.requireNonNull(key, "key"));
    }

    @Override
    @SuppressWarnings("unchecked")
    public V put(K key, V value) {
        return (V) held.invoke(PUT, Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    }

    /**
     * Maps {@code key} to {@code value} without waiting for the manager's reply: Python's
     * {@code d[key] = value}, which returns nothing. Later calls from this thread see it; a failure
     * (a class off the manager's allow-list) is logged by the manager, not thrown here.
     *
     * @throws NullPointerException if the key or the value is null
     * @throws IllegalArgumentException if the key or the value cannot be encoded
     * @throws ManagerUnreachableException if the manager has ended
     */
    public void set(K key, V value) {
        held.invokeLater(PUT, Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    }

    @Override
    @SuppressWarnings("unchecked")
    public V remove(Object key) {
        return (V) held.invoke(REMOVE, Objects.requireNonNull(key, "key"));
    }

    @Override
    public boolean containsKey(Object key) {
        return (Boolean) held.invoke(CONTAINS_KEY, Objects.requireNonNull(key, "key"));
    }

    @Override
    public boolean containsValue(Object value) {
        return (Boolean) held.invoke(CONTAINS_VALUE, Objects.requireNonNull(value, "value"));
    }

    @Override
    public int size() {
        return (Integer) held.invoke(SIZE);
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public void clear() {
        held.invoke(CLEAR);
    }

    /** Puts every entry of {@code entries} in one call. */
    @Override
    public void putAll(Map<? extends K, ? extends V> entries) {
        Map<K, V> copy = new LinkedHashMap<>();
        entries.forEach((k, v) -> copy.put(Objects.requireNonNull(k, "key"), Objects.requireNonNull(v, "value")));
        held.invoke(PUT_ALL, copy);
    }

    @Override
    @SuppressWarnings("unchecked")
    public V putIfAbsent(K key, V value) {
        return (V) held.invoke(PUT_IF_ABSENT, Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    }

    @Override
    public boolean remove(Object key, Object value) {
        return (Boolean) held.invoke(REMOVE_IF_MAPPED, Objects.requireNonNull(key, "key"),
                Objects.requireNonNull(value, "value"));
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        return (Boolean) held.invoke(REPLACE_IF_MAPPED, Objects.requireNonNull(key, "key"),
                Objects.requireNonNull(oldValue, "oldValue"), Objects.requireNonNull(newValue, "newValue"));
    }

    @Override
    @SuppressWarnings("unchecked")
    public V replace(K key, V value) {
        return (V) held.invoke(REPLACE, Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    }

    /** A copy of the whole map, in insertion order, in one call: Python's {@code d.copy()}. */
    public Map<K, V> copy() {
        Map<K, V> copy = new LinkedHashMap<>();
        for (Map.Entry<K, V> e : entries()) {
            copy.put(e.getKey(), e.getValue());
        }
        return copy;
    }

    @SuppressWarnings("unchecked")
    private List<Map.Entry<K, V>> entries() {
        return (List<Map.Entry<K, V>>) held.snapshot();
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<K, V>> iterator() {
                Iterator<Map.Entry<K, V>> copy = entries().iterator();
                return new Iterator<>() {
                    private Map.Entry<K, V> last;

                    @Override
                    public boolean hasNext() {
                        return copy.hasNext();
                    }

                    @Override
                    public Map.Entry<K, V> next() {
                        if (!copy.hasNext()) {
                            throw new NoSuchElementException();
                        }
                        Map.Entry<K, V> seen = copy.next();
                        last = seen;
                        return new LiveEntry(seen.getKey(), seen.getValue());
                    }

                    @Override
                    public void remove() {
                        if (last == null) {
                            throw new IllegalStateException("next() has not been called, or remove() was already");
                        }
                        ManagedMap.this.remove(last.getKey());
                        last = null;
                    }
                };
            }

            @Override
            public int size() {
                return ManagedMap.this.size();
            }

            @Override
            public void clear() {
                ManagedMap.this.clear();
            }
        };
    }

    /** An entry seen by iteration: {@link #setValue} puts in the map. */
    private final class LiveEntry extends AbstractMap.SimpleEntry<K, V> {
        @Serial
        private static final long serialVersionUID = 1L;

        LiveEntry(K key, V value) {
            super(key, value);
        }

        @Override
        public V setValue(V value) {
            put(getKey(), value);
            return super.setValue(value);
        }
    }

    /** The pid of the manager process that holds the map. */
    public long managerPid() {
        return held.managerPid();
    }
}
