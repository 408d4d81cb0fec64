package dev.spindle.process.manager;

import dev.spindle.process.pool.Pool;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link SharedObjects} keeps, with tasks on a {@link Pool} as the other processes (or
 * nodes): the same suite for the local {@link Manager} and for a cluster's. A subclass gives the
 * objects and the pool, made once for its class.
 */
public abstract class SharedObjectsContract {

    /** The objects under test. */
    protected abstract SharedObjects objects();

    /** Workers elsewhere: other processes, or other nodes. */
    protected abstract Pool pool();

    @Test
    void whatATaskElsewherePutsInADictIsSeenHereAndTheOtherWayRound() throws Exception {
        ConcurrentMap<String, Long> d = objects().dict();
        d.put("here", 1L);
        Long seenThere = pool().apply(() -> {
            d.put("there", ProcessHandle.current().pid());
            return d.get("here");
        });
        assertThat(seenThere).isEqualTo(1L);
        assertThat(d.get("there")).isNotNull();
        assertThat(d).containsOnlyKeys("here", "there");
    }

    @Test
    void aDictKeepsTheConcurrentMapContract() {
        ConcurrentMap<String, Integer> m = objects().dict();
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
        assertThat(m.getOrDefault("q", -1)).isEqualTo(-1);
        assertThat(m.merge("m", 10, Integer::sum)).isEqualTo(10);
        assertThat(m.merge("m", 10, Integer::sum)).isEqualTo(20);
        assertThat(m.size()).isEqualTo(3);
        assertThat(m.remove("z")).isEqualTo(2);
        m.clear();
        assertThat(m).isEmpty();
    }

    @Test
    void mergesFromManyTasksSumExactly() throws Exception {
        ConcurrentMap<String, Integer> d = objects().dict();
        List<Integer> done = pool().map(i -> {
            for (int k = 0; k < 10; k++) {
                d.merge("n", 1, Integer::sum);
            }
            return i;
        }, IntStream.range(0, 12).boxed().toList());
        assertThat(done).hasSize(12);
        assertThat(d.get("n")).isEqualTo(120);
    }

    @Test
    void aQueueCarriesItemsInOrderFromATaskElsewhere() throws Exception {
        BlockingQueue<Integer> q = objects().queue();
        pool().apply(() -> {
            for (int i = 0; i < 10; i++) {
                q.put(i);
            }
            return null;
        });
        for (int i = 0; i < 10; i++) {
            assertThat(q.poll(30, TimeUnit.SECONDS)).isEqualTo(i);
        }
        assertThat(q.poll(0, TimeUnit.SECONDS)).as("nothing more").isNull();
    }

    @Test
    void aBoundedQueueRefusesWhatItHasNoRoomFor() throws Exception {
        BlockingQueue<String> q = objects().queue(2);
        assertThat(q.offer("a")).isTrue();
        assertThat(q.offer("b")).isTrue();
        assertThat(q.offer("c")).isFalse();
        assertThat(q.offer("c", 50, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(pool().apply(() -> q.poll(10, TimeUnit.SECONDS))).isEqualTo("a");
        // The slot is free once the holder hears of the take, which travels apart from the task's result.
        assertThat(q.offer("c", 30, TimeUnit.SECONDS)).isTrue();
        assertThat(q).containsExactly("b", "c");
    }

    @Test
    void aLockHeldHereKeepsATaskElsewhereOutUntilItIsReleased() throws Exception {
        Lock lock = objects().lock();
        lock.lock();
        try {
            assertThat(pool().apply(() -> lock.tryLock(100, TimeUnit.MILLISECONDS))).as("held here").isFalse();
        } finally {
            lock.unlock();
        }
        assertThat(pool().apply(() -> {
            if (!lock.tryLock(30, TimeUnit.SECONDS)) {
                return false;
            }
            lock.unlock();
            return true;
        })).isTrue();
    }

    @Test
    void aLockMakesReadModifyWriteFromManyTasksExact() throws Exception {
        ConcurrentMap<String, Integer> d = objects().dict();
        Lock lock = objects().lock();
        d.put("n", 0);
        pool().withTaskTimeout(Duration.ofSeconds(60)).map(i -> {
            for (int k = 0; k < 5; k++) {
                lock.lock();
                try {
                    d.put("n", d.get("n") + 1); // not atomic: the lock makes it so
                } finally {
                    lock.unlock();
                }
            }
            return i;
        }, IntStream.range(0, 8).boxed().toList());
        assertThat(d.get("n")).isEqualTo(40);
    }
}
