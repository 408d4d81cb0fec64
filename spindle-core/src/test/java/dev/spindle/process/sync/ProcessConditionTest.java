package dev.spindle.process.sync;

import dev.spindle.process.JavaCommand;
import dev.spindle.process.Process;
import dev.spindle.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessConditionTest {

    private static final Duration LONG = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @AfterAll
    static void noChildJvmOutlivesTheTests() throws Exception {
        JavaCommand.noChildOutlivesTheTests();
    }

    @Test
    void aChildWaitsUntilTheParentSignalsAndHoldsTheLockAgainWhenItWakes() throws Exception {
        ProcessLock lock = new ProcessLock();
        ProcessCondition ready = lock.newCondition();
        String waiting = dir.resolve("waiting").toString();
        String flag = dir.resolve("flag").toString();
        try (Process<String> child = Process.callable(() -> {
            lock.lock();
            try {
                Files.writeString(Path.of(waiting), "x");   // written holding the lock: the parent gets it only once this waits
                while (!Files.exists(Path.of(flag))) {
                    ready.await();
                }
                return "woken, holding the lock: " + lock.isHeldByCurrentThread();
            } finally {
                lock.unlock();
            }
        }).start()) {
            Await.untilExists(Path.of(waiting));
            lock.lock();
            try {
                Files.writeString(Path.of(flag), "x");
                ready.signal();
            } finally {
                lock.unlock();
            }
            assertThat(child.result(LONG)).isEqualTo("woken, holding the lock: true");
        }
    }

    @Test
    void theParentWaitsUntilAChildSignals() throws Exception {
        ProcessLock lock = new ProcessLock();
        ProcessCondition done = lock.newCondition();
        lock.lock();
        try (Process<Void> child = Process.target(() -> {
            lock.lock();             // free only once the parent waits
            try {
                done.signalAll();
            } finally {
                lock.unlock();
            }
        }).start()) {
            assertThat(done.await(LONG)).as("signalled, not timed out").isTrue();
            assertThat(lock.isHeldByCurrentThread()).isTrue();
            lock.unlock();
            child.join();
            assertThat(child.exitCode()).hasValue(0);
        }
    }

    @Test
    void awaitLetsGoOfEveryHoldOfAnRLockAndTakesThemAllBack() throws Exception {
        ProcessRLock lock = new ProcessRLock();
        ProcessCondition go = lock.newCondition();
        String waiting = dir.resolve("waiting").toString();
        try (Process<Integer> child = Process.callable(() -> {
            lock.lock();
            lock.lock();
            try {
                Files.writeString(Path.of(waiting), "x");
                go.await();
                return lock.getHoldCount();
            } finally {
                lock.unlock();
                lock.unlock();
            }
        }).start()) {
            Await.untilExists(Path.of(waiting));
            assertThat(lock.tryLock(LONG)).as("free while the child waits, though it held it twice").isTrue();
            go.signal();
            lock.unlock();
            assertThat(child.result(LONG)).isEqualTo(2);
        }
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void everyTimedAwaitKeepsTheDurationRuleAndKeepsTheLockHeld() throws Exception {
        ProcessLock lock = new ProcessLock();
        ProcessCondition never = lock.newCondition();
        lock.lock();
        try {
            assertThat(never.await(Duration.ZERO)).isFalse();
            assertThat(never.await(Duration.ofSeconds(-5))).isFalse();
            assertThat(never.await(0, TimeUnit.SECONDS)).isFalse();
            assertThat(never.awaitNanos(0)).isLessThanOrEqualTo(0);
            assertThat(never.awaitNanos(-1)).isLessThanOrEqualTo(0);
            assertThat(never.awaitUntil(new Date(System.currentTimeMillis() - 1000))).isFalse();
            assertThat(never.await(Duration.ofMillis(20))).isFalse();
            assertThat(never.awaitNanos(TimeUnit.MILLISECONDS.toNanos(20))).isLessThanOrEqualTo(0);
            assertThat(lock.isHeldByCurrentThread()).isTrue();
        } finally {
            lock.unlock();
        }
        assertThatThrownBy(never::await).isInstanceOf(IllegalMonitorStateException.class);
        assertThatThrownBy(() -> never.await(Duration.ZERO)).isInstanceOf(IllegalMonitorStateException.class);
        assertThatThrownBy(never::signal).isInstanceOf(IllegalMonitorStateException.class);
        assertThatThrownBy(never::signalAll).isInstanceOf(IllegalMonitorStateException.class);
        try (Process<ArrayList<Object>> child = Process.callable(() -> {
            ArrayList<Object> seen = new ArrayList<>();
            try {
                never.await(Duration.ZERO);
            } catch (IllegalMonitorStateException e) {
                seen.add("not held");
            }
            lock.lock();
            try {
                seen.add(never.await(Duration.ZERO));
                seen.add(never.await(Duration.ofMillis(-1)));
                seen.add(never.await(Duration.ofMillis(20)));
                seen.add(never.awaitNanos(0) <= 0);
                seen.add(lock.isHeldByCurrentThread());
            } finally {
                lock.unlock();
            }
            return seen;
        }).start()) {
            assertThat(child.result(LONG)).containsExactly("not held", false, false, false, true, true);
        }
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void anInterruptedAwaitThrowsHoldingTheLockAgainInTheHolderAndInAChild() throws Exception {
        ProcessLock lock = new ProcessLock();
        ProcessCondition never = lock.newCondition();
        CompletableFuture<String> local = new CompletableFuture<>();
        CompletableFuture<Void> locked = new CompletableFuture<>();
        Thread waiter = Thread.ofPlatform().name("local-awaiter").start(() -> {
            lock.lock();
            locked.complete(null);
            try {
                never.await();
                local.complete("woken");
            } catch (InterruptedException e) {
                local.complete("interrupted, holding the lock: " + lock.isHeldByCurrentThread());
            } finally {
                lock.unlock();
            }
        });
        Await.until("the waiter waits", () -> locked.isDone() && waiter.getState() == Thread.State.WAITING
                && !lock.isLocked());
        waiter.interrupt();
        assertThat(local.get(60, TimeUnit.SECONDS)).isEqualTo("interrupted, holding the lock: true");
        try (Process<String> child = Process.callable(() -> {
            CompletableFuture<String> outcome = new CompletableFuture<>();
            CompletableFuture<Void> held = new CompletableFuture<>();
            Thread remote = Thread.ofPlatform().name("remote-awaiter").start(() -> {
                lock.lock();
                held.complete(null);
                try {
                    never.await(LONG);
                    outcome.complete("woken");
                } catch (InterruptedException e) {
                    outcome.complete("interrupted, holding the lock: " + lock.isHeldByCurrentThread());
                } finally {
                    lock.unlock();
                }
            });
            Await.until("the waiter waits", () -> held.isDone() && remote.getState() == Thread.State.TIMED_WAITING
                    && !lock.isLocked());
            remote.interrupt();
            return outcome.get(60, TimeUnit.SECONDS);
        }).start()) {
            assertThat(child.result(LONG)).isEqualTo("interrupted, holding the lock: true");
        }
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void aSignalSkipsAWaiterWhoseProcessWasKilled() throws Exception {
        ProcessLock lock = new ProcessLock();
        ProcessCondition ready = lock.newCondition();
        ProcessLock marker = new ProcessLock();
        String waiting = dir.resolve("waiting").toString();
        try (Process<Void> doomed = Process.target(() -> {
            marker.lock();          // released when this process dies: how the test knows the holder has seen it
            lock.lock();
            Files.writeString(Path.of(waiting), "x");
            ready.await();
        }).start()) {
            Await.untilExists(Path.of(waiting));
            CompletableFuture<Boolean> survivor = new CompletableFuture<>();
            Thread survivorThread = Thread.ofPlatform().name("survivor").start(() -> {
                lock.lock();        // free once the doomed child waits: this waits after it
                try {
                    survivor.complete(ready.await(Duration.ofSeconds(30)));
                } catch (Throwable e) {
                    survivor.completeExceptionally(e);
                } finally {
                    lock.unlock();
                }
            });
            Await.until("the survivor waits", () -> survivorThread.getState() == Thread.State.TIMED_WAITING
                    && !lock.isLocked());
            doomed.kill();
            assertThat(marker.tryLock(LONG)).isTrue();
            marker.unlock();
            lock.lock();
            try {
                ready.signal();     // first in line is the dead waiter: this must wake the survivor instead
            } finally {
                lock.unlock();
            }
            assertThat(survivor.get(60, TimeUnit.SECONDS)).as("the survivor was signalled").isTrue();
        }
    }
}
