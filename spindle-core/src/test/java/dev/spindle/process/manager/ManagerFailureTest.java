package dev.spindle.process.manager;

import dev.spindle.process.HolderUnreachableException;
import dev.spindle.process.JavaCommand;
import dev.spindle.process.Process;
import dev.spindle.process.queue.ProcessQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Registered types, and what callers see when a manager dies under them. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerFailureTest {

    private static final Duration LONG = Duration.ofSeconds(60);

    /** A registered type's interface: what its proxies expose. */
    public interface Counter {
        int increment();

        int value();

        void fail(String how);

        int awaitAtLeast(int n) throws InterruptedException;
    }

    /** Its implementation, made in the manager. */
    static final class AtomicCounter implements Counter {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public int increment() {
            return count.incrementAndGet();
        }

        @Override
        public int value() {
            return count.get();
        }

        @Override
        public void fail(String how) {
            switch (how) {
                case "state" -> throw new IllegalStateException("not now");
                case "own" -> throw new CounterBrokeException();
                default -> throw new IllegalArgumentException(how);
            }
        }

        @Override
        public int awaitAtLeast(int n) throws InterruptedException {
            while (count.get() < n) {
                Thread.sleep(10);
            }
            return count.get();
        }
    }

    static final class CounterBrokeException extends RuntimeException {
        CounterBrokeException() {
            super("the counter broke");
        }
    }

    @AfterAll
    static void noChildOutlivesTheTests() throws Exception {
        JavaCommand.noChildOutlivesTheTests();
    }

    @Test
    void aRegisteredTypeIsMadeInTheManagerAndCalledFromEveryProcess() throws Exception {
        try (Manager manager = Manager.builder().register(Counter.class, AtomicCounter::new).start()) {
            Counter counter = manager.create(Counter.class);
            counter.increment();
            try (Process<Integer> child = Process.callable(counter::increment).start()) {
                assertThat(child.result(LONG)).isEqualTo(2);
            }
            assertThat(counter.value()).isEqualTo(2);
            assertThat(manager.create(Counter.class).value()).isZero();
            assertThatThrownBy(() -> counter.fail("state")).isInstanceOf(IllegalStateException.class)
                    .hasMessage("not now");
            assertThatThrownBy(() -> counter.fail("own")).isInstanceOf(ManagedMethodException.class)
                    .hasMessageContaining(CounterBrokeException.class.getName())
                    .hasMessageContaining("the counter broke");
            assertThat(counter.value()).isEqualTo(2);
        }
    }

    @Test
    void aWaitingMethodOfARegisteredTypeIsInterruptedByTheCallersInterrupt() throws Exception {
        try (Manager manager = Manager.builder().register(Counter.class, AtomicCounter::new).start()) {
            Counter counter = manager.create(Counter.class);
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            Thread waiter = Thread.ofPlatform().name("counter-waiter").start(() -> {
                try {
                    counter.awaitAtLeast(1_000);
                    thrown.complete(null);
                } catch (Throwable t) {
                    thrown.complete(t);
                }
            });
            Thread.sleep(100);
            waiter.interrupt();
            assertThat(thrown.get(60, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
            waiter.join();
            assertThat(counter.increment()).isEqualTo(1); // the manager serves on
        }
    }

    @Test
    void aTypeNotRegisteredIsRefusedByName() throws Exception {
        try (Manager manager = Manager.start()) {
            assertThatThrownBy(() -> manager.create(Counter.class)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(Counter.class.getName());
            assertThatThrownBy(() -> Manager.builder().register(AtomicCounter.class, AtomicCounter::new))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an interface");
        }
    }

    @Test
    void whenTheManagerIsKilledEveryCallerFailsAtOnceNamingItAndNoneHangs() throws Exception {
        Manager manager = Manager.start();
        try {
            ManagedMap<String, Integer> d = manager.dict();
            ProcessQueue<String> queue = manager.queue();
            d.put("a", 1);
            CompletableFuture<Throwable> taking = new CompletableFuture<>();
            Thread taker = Thread.ofPlatform().name("taker").start(() -> {
                try {
                    queue.take();
                    taking.complete(null);
                } catch (Throwable t) {
                    taking.complete(t);
                }
            });
            try (Process<Void> user = Process.target(() -> {
                while (true) {
                    d.merge("a", 1, Integer::sum);
                }
            }).start()) {
                while (d.get("a") < 50) {
                    Thread.sleep(10);
                }
                ProcessHandle.of(manager.pid()).orElseThrow().destroyForcibly();
                assertThatThrownBy(() -> {
                    while (true) {
                        d.get("a");
                    }
                }).isInstanceOf(ManagerUnreachableException.class)
                        .hasMessageContaining("process " + manager.pid());
                assertThat(taking.get(60, TimeUnit.SECONDS)).isInstanceOf(HolderUnreachableException.class);
                user.join(LONG);
                assertThat(user.exitCode()).hasValue(1);
                assertThat(user.exception().orElseThrow().getMessage()).contains(String.valueOf(manager.pid()));
            }
            taker.join();
            assertThatThrownBy(manager::dict).isInstanceOf(ManagerUnreachableException.class);
        } finally {
            manager.close();
        }
    }
}
