package dev.spindle.ignite;

import dev.spindle.process.manager.SharedObjects;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.cache.CacheWriteSynchronizationMode;
import org.apache.ignite.configuration.CacheConfiguration;
import org.apache.ignite.configuration.CollectionConfiguration;

import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.Lock;

/**
 * {@link SharedObjects} held by a cluster: {@link Cluster#manager()}. Maps are Ignite caches,
 * queues {@link IgniteQueue}s, locks Ignite's fail-over-safe reentrant locks; each has one backup,
 * so one node may leave without losing it. Tasks may capture them, and any member may use them.
 *
 * <h2>Lifecycle</h2>
 * The objects made without a name end when this manager is closed (their caches are destroyed).
 * Named ones ({@link #dict(String)}, {@link #queue(String, int)}, {@link #lock(String)}) are the
 * cluster's: any program reaches them by name, and they stay until someone destroys them.
 *
 * <h2>What Ignite guarantees, and what it does not</h2>
 * <ul>
 *   <li>A lock whose holder's node leaves is released (fail-over safe); what it guarded may be
 *   half-updated, as with a local {@code ProcessLock} whose holder died.</li>
 *   <li>A queue's and a lock's operations cross the network each: hundreds to thousands per second,
 *   not millions. Batch ({@code putAll}, a list per queue item) where it matters.</li>
 *   <li>Entries in a map are atomic one key at a time; there are no transactions across keys here.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class ClusterManager implements SharedObjects {

    private final Ignite ignite;
    /** How to destroy each object made without a name, in the order made. */
    private final Queue<Runnable> owned = new ConcurrentLinkedQueue<>();

    ClusterManager(Ignite ignite) {
        this.ignite = ignite;
    }

    @Override
    public <K, V> ConcurrentMap<K, V> dict() {
        ClusterMap<K, V> map = (ClusterMap<K, V>) this.<K, V>dict("spindle-dict-" + UUID.randomUUID());
        own(() -> ignite.destroyCache(map.cacheName()));
        return map;
    }

    /** The cluster's map named {@code name}, made if it does not exist; it outlives this manager. */
    public <K, V> ConcurrentMap<K, V> dict(String name) {
        CacheConfiguration<K, V> config = new CacheConfiguration<K, V>(name)
                .setCacheMode(CacheMode.PARTITIONED)
                .setAtomicityMode(CacheAtomicityMode.ATOMIC)
                .setBackups(Member.BACKUPS)
                .setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC);
        IgniteCache<K, V> cache = ignite.getOrCreateCache(config);
        return new ClusterMap<>(cache);
    }

    @Override
    public <E> BlockingQueue<E> queue() {
        return queue(0);
    }

    @Override
    public <E> BlockingQueue<E> queue(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("a queue's capacity is 0 (unbounded) or more, got " + capacity);
        }
        ClusterQueue<E> q = (ClusterQueue<E>) this.<E>queue("spindle-queue-" + UUID.randomUUID(), capacity);
        own(() -> q.queue().close());
        return q;
    }

    /** The cluster's queue named {@code name} (capacity 0: unbounded), made if it does not exist. */
    public <E> BlockingQueue<E> queue(String name, int capacity) {
        return new ClusterQueue<>(ignite.<E>queue(name, capacity, new CollectionConfiguration().setBackups(Member.BACKUPS)));
    }

    @Override
    public Lock lock() {
        ClusterLock lock = new ClusterLock(ignite.reentrantLock("spindle-lock-" + UUID.randomUUID(), true, false, true));
        own(() -> lock.ignite().close());
        return lock;
    }

    /** The cluster's reentrant, fail-over-safe lock named {@code name}, made if it does not exist. */
    public Lock lock(String name) {
        return new ClusterLock(ignite.reentrantLock(name, true, false, true));
    }

    private void own(Runnable destroy) {
        owned.add(destroy);
    }

    /** Destroys the objects made without a name; named ones stay. */
    @Override
    public void close() {
        for (Runnable destroy; (destroy = owned.poll()) != null; ) {
            try {
                destroy.run();
            } catch (RuntimeException e) {
                // already gone, or the cluster is: nothing left to destroy
            }
        }
    }
}
