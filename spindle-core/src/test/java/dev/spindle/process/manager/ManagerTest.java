package dev.spindle.process.manager;

import dev.spindle.process.JavaCommand;
import dev.spindle.process.Process;
import dev.spindle.process.queue.ProcessQueue;
import dev.spindle.process.sync.ProcessEvent;
import dev.spindle.process.sync.ProcessLock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A manager process and its proxies, used from the parent and from children (one manager for the class). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerTest {

    private static final Duration LONG = Duration.ofSeconds(60);
    private static Manager manager;

    @BeforeAll
    static void startTheManager() throws Exception {
        manager = Manager.start();
    }

    @AfterAll
    static void closeTheManagerAndLeaveNoChild() throws Exception {
        manager.close();
        JavaCommand.noChildOutlivesTheTests();
    }

    @Test
    void theManagerIsAProcessOfItsOwn() {
        assertThat(manager.pid()).isNotEqualTo(ProcessHandle.current().pid());
        assertThat(ProcessHandle.of(manager.pid())).isPresent();
    }

    @Test
    void whatAChildPutsInADictTheParentAndAnotherChildSee() throws Exception {
        ManagedMap<String, Integer> d = manager.dict();
        try (Process<Void> writer = Process.target(() -> {
            d.put("a", 1);
            d.set("b", 2);
        }).start()) {
            writer.join();
        }
        assertThat(d).containsExactly(Map.entry("a", 1), Map.entry("b", 2));
        try (Process<Integer> reader = Process.callable(() -> d.get("a") + d.get("b")).start()) {
            assertThat(reader.result(LONG)).isEqualTo(3);
        }
    }

    @Test
    void mergesFromSeveralProcessesSumExactly() throws Exception {
        ManagedMap<String, Integer> counts = manager.dict();
        List<Process<Void>> children = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            children.add(Process.target(() -> {
                for (int n = 0; n < 200; n++) {
                    counts.merge("hits", 1, Integer::sum);
                }
            }).start());
        }
        for (int n = 0; n < 200; n++) {
            counts.merge("hits", 1, Integer::sum);
        }
        for (Process<Void> child : children) {
            child.join();
            assertThat(child.exitCode()).hasValue(0);
            child.close();
        }
        assertThat(counts.get("hits")).isEqualTo(800);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aListInsideADictIsTheSameListInEveryProcess() throws Exception {
        ManagedMap<String, Object> d = manager.dict();
        d.put("items", manager.list());
        try (Process<Void> child = Process.target(() -> {
            @SuppressWarnings("unchecked")
            List<String> items = (List<String>) d.get("items");
            items.add("from the child");
        }).start()) {
            child.join();
        }
        assertThat((List<Object>) d.get("items")).containsExactly("from the child");
    }

    @Test
    void aNamespaceIsNamedAttributesEveryProcessShares() throws Exception {
        Namespace ns = manager.namespace();
        ns.set("x", 10);
        try (Process<Void> child = Process.target(() -> ns.set("y", (Integer) ns.get("x") + 1)).start()) {
            child.join();
        }
        assertThat(ns.get("y")).isEqualTo(11);
        assertThat(ns.names()).containsExactly("x", "y");
        assertThat(ns.has("z")).isFalse();
        assertThat(ns).hasToString("Namespace(x=10, y=11)");
        assertThatThrownBy(() -> ns.get("z")).isInstanceOf(java.util.NoSuchElementException.class)
                .hasMessageContaining("'z'");
    }

    @Test
    void aValueAndAnArrayAreHeldByTheManager() throws Exception {
        ManagedValue<Long> value = manager.value(5L);
        ManagedList<Double> array = manager.array(0.0, 0.0, 0.0);
        try (Process<Void> child = Process.target(() -> {
            value.compareAndSet(5L, 6L);
            array.set(1, 2.5);
        }).start()) {
            child.join();
        }
        assertThat(value.get()).isEqualTo(6L);
        assertThat(value.compareAndSet(5L, 7L)).isFalse();
        assertThat(array).containsExactly(0.0, 2.5, 0.0);
        assertThatThrownBy(() -> array.add(1.0)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void queuesLocksAndEventsAreHeldByTheManagerNotByTheirCreator() throws Exception {
        ProcessQueue<String> queue = manager.queue();
        ProcessLock lock = manager.lock();
        ProcessEvent done = manager.event();
        assertThat(queue.holderPid()).isEqualTo(manager.pid());
        assertThat(lock.holderPid()).isEqualTo(manager.pid());
        try (Process<Void> child = Process.target(() -> {
            lock.lock();
            try {
                queue.put("hello");
            } finally {
                lock.unlock();
            }
            done.set();
        }).start()) {
            assertThat(queue.poll(LONG)).isEqualTo("hello");
            assertThat(done.await(LONG)).isTrue();
            child.join();
        }
    }

    @Test
    void aClassOffTheManagersAllowListIsRefusedByName() {
        ManagedMap<String, Object> d = manager.dict();
        // Serializable, but not on the default allow-list (Spindle's own classes all are).
        assertThatThrownBy(() -> d.put("k", new java.util.concurrent.atomic.AtomicLong(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.util.concurrent.atomic.AtomicLong");
        assertThat(d).isEmpty();
    }
}
