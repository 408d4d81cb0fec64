package dev.spindle.ignite;

import org.apache.ignite.IgniteCache;

import javax.cache.Cache;
import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;

/**
 * A {@link ConcurrentMap} held by the cluster, in an Ignite cache of its own (one backup, so a
 * node may leave without losing an entry). Each single-key operation is atomic on the cluster;
 * {@code merge}, {@code compute} and the like are {@code ConcurrentMap}'s defaults over them, so
 * they are atomic too, retrying on contention. A copy in a task, on any member, is the same map.
 *
 * <p>Iteration ({@link #entrySet()}, {@code toString}, {@code equals}) reads a snapshot of the
 * whole map: fine for a dict of results, costly for a large cache.
 */
final class ClusterMap<K, V> extends AbstractMap<K, V> implements ConcurrentMap<K, V>, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final String cacheName;
    private transient volatile IgniteCache<K, V> cache;

    ClusterMap(IgniteCache<K, V> cache) {
        this.cacheName = cache.getName();
        this.cache = cache;
    }

    /** The cache on this member: the one it was made with, or, in a copy, the member's own. */
    private IgniteCache<K, V> cache() {
        IgniteCache<K, V> c = cache;
        if (c == null) {
            c = Member.lookUp("map", cacheName, ignite -> ignite.<K, V>cache(cacheName));
            cache = c;
        }
        return c;
    }

    @Override
    public V get(Object key) {
        @SuppressWarnings("unchecked") K k = (K) key;
        return cache().get(k);
    }

    @Override
    public V put(K key, V value) {
        return cache().getAndPut(key, value);
    }

    @Override
    public V remove(Object key) {
        @SuppressWarnings("unchecked") K k = (K) key;
        return cache().getAndRemove(k);
    }

    @Override
    public boolean containsKey(Object key) {
        @SuppressWarnings("unchecked") K k = (K) key;
        return cache().containsKey(k);
    }

    @Override
    public int size() {
        return cache().size();
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public void clear() {
        cache().clear();
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> entries) {
        cache().putAll(entries);
    }

    @Override
    public V putIfAbsent(K key, V value) {
        return cache().getAndPutIfAbsent(key, value);
    }

    @Override
    public boolean remove(Object key, Object value) {
        @SuppressWarnings("unchecked") K k = (K) key;
        @SuppressWarnings("unchecked") V v = (V) value;
        return cache().remove(k, v);
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        return cache().replace(key, oldValue, newValue);
    }

    @Override
    public V replace(K key, V value) {
        return cache().getAndReplace(key, value);
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        Map<K, V> snapshot = new LinkedHashMap<>();
        for (Cache.Entry<K, V> e : cache()) {
            snapshot.put(e.getKey(), e.getValue());
        }
        return Collections.unmodifiableMap(snapshot).entrySet();
    }

    String cacheName() {
        return cacheName;
    }
}
