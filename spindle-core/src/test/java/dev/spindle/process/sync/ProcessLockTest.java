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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessLockTest {

    private static final Duration LONG = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @AfterAll
    static void noChildJvmOutlivesTheTests() throws Exception {
        JavaCommand.noChildOutlivesTheTests();
    }

    @Test
    void threadsOfSeveralProcessesTakeTheLockOneAtATime() throws Exception {
        ProcessLock lock = new ProcessLock();
        String counter = dir.resolve("counter").toString();
        Files.writeString(Path.of(counter), "0");
        int each = 40;
        List<Process<Void>> children = new ArrayList<>();
        try {
            for (int c = 0; c < 2; c++) {
                children.add(Process.target(() -> incrementUnder(lock, counter, each)).start());
            }
            // The holder's own threads take the same lock, with no wire between them and it.
            Thread local = Thread.ofPlatform().name("local-incrementer").start(() -> {
                try {
                    incrementUnder(lock, counter, each);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            for (Process<Void> child : children) {
                child.join();
                assertThat(child.exitCode()).hasValue(0);
            }
            local.join();
            assertThat(Files.readString(Path.of(counter))).isEqualTo(Integer.toString(3 * each));
            assertThat(lock.isLocked()).isFalse();
        } finally {
            children.forEach(Process::close);
        }
    }

    /** Seed 004's ticket office: read, wait a little, write; without the lock, increments are lost. */
    private static void incrementUnder(ProcessLock lock, String counter, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            lock.lock();
            try {
                int n = Integer.parseInt(Files.readString(Path.of(counter)));
                Thread.sleep(1);
                Files.writeString(Path.of(counter), Integer.toString(n + 1));
            } finally {
                lock.unlock();
            }
        }
    }

    @Test
    void anRLockIsHeldAcrossCallsUntilItsOwnerLetsGoOfEveryHold() throws Exception {
        ProcessRLock lock = new ProcessRLock();
        String thrice = dir.resolve("thrice").toString();
        String once = dir.resolve("once").toString();
        String go1 = dir.resolve("go1").toString();
        String go2 = dir.resolve("go2").toString();
        try (Process<ArrayList<Object>> child = Process.callable(() -> {
            ArrayList<Object> seen = new ArrayList<>();
            lock.lock();
            lock.lockInterruptibly();
            seen.add(lock.tryLock());
            seen.add(lock.getHoldCount());
            Files.writeString(Path.of(thrice), "x");
            Await.untilExists(Path.of(go1));
            lock.unlock();
            lock.unlock();
            seen.add(lock.getHoldCount());
            Files.writeString(Path.of(once), "x");
            Await.untilExists(Path.of(go2));
            lock.unlock();
            seen.add(lock.getHoldCount());
            seen.add(lock.isHeldByCurrentThread());
            return seen;
        }).start()) {
            Await.untilExists(Path.of(thrice));
            assertThat(lock.isLocked()).isTrue();
            assertThat(lock.getHoldCount()).as("held by the child, not by this thread").isZero();
            assertThat(lock.tryLock()).isFalse();
            Files.writeString(Path.of(go1), "x");
            Await.untilExists(Path.of(once));
            assertThat(lock.tryLock()).as("still held once").isFalse();
            Files.writeString(Path.of(go2), "x");
            assertThat(lock.tryLock(LONG)).isTrue();
            assertThat(lock.getHoldCount()).isEqualTo(1);
            lock.unlock();
            assertThat(child.result(LONG)).containsExactly(true, 3, 1, 0, false);
        }
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void lockingAProcessLockTwiceSaysToUseAnRLockAndUnlockingItWithoutHoldingItIsIllegal() throws Exception {
        ProcessLock lock = new ProcessLock();
        lock.lock();
        assertThatThrownBy(lock::lock).isInstanceOf(IllegalStateException.class).hasMessageContaining("ProcessRLock");
        assertThatThrownBy(lock::tryLock).isInstanceOf(IllegalStateException.class);
        assertThat(lock.isHeldByCurrentThread()).isTrue();
        AtomicReference<Throwable> other = new AtomicReference<>();
        Thread.ofPlatform().name("not-the-owner").start(() -> {
            try {
                lock.unlock();
            } catch (Throwable e) {
                other.set(e);
            }
        }).join();
        assertThat(other.get()).isInstanceOf(IllegalMonitorStateException.class);
        try (Process<ArrayList<String>> child = Process.callable(() -> {
            ArrayList<String> seen = new ArrayList<>();
            try {
                lock.unlock();       // the parent holds it
                seen.add("unlocked");
            } catch (IllegalMonitorStateException e) {
                seen.add(e.getClass().getSimpleName());
            }
            seen.add(String.valueOf(lock.isHeldByCurrentThread()));
            return seen;
        }).start()) {
            assertThat(child.result(LONG)).containsExactly("IllegalMonitorStateException", "false");
        }
        lock.unlock();
        assertThatThrownBy(lock::unlock).isInstanceOf(IllegalMonitorStateException.class);
        try (Process<String> child = Process.callable(() -> {
            lock.lock();
            try {
                lock.tryLock(LONG);
                return "locked twice";
            } catch (IllegalStateException e) {
                return e.getMessage();
            } finally {
                lock.unlock();
            }
        }).start()) {
            assertThat(child.result(LONG)).contains("not reentrant", "ProcessRLock");
        }
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void everyTimedFormKeepsTheDurationRuleInTheHolderAndInAnotherProcess() throws Exception {
        ProcessLock lock = new ProcessLock();
        lock.lock();
        CompletableFuture<List<Boolean>> local = new CompletableFuture<>();
        Thread.ofPlatform().name("local-tries").start(() -> {
            try {
                local.complete(List.of(lock.tryLock(), lock.tryLock(Duration.ZERO), lock.tryLock(Duration.ofSeconds(-5)),
                        lock.tryLock(0, TimeUnit.SECONDS), lock.tryLock(-1, TimeUnit.MILLISECONDS),
                        lock.tryLock(Duration.ofMillis(20)), lock.tryLock(20, TimeUnit.MILLISECONDS)));
            } catch (Throwable e) {
                local.completeExceptionally(e);
            }
        });
        assertThat(local.get(60, TimeUnit.SECONDS)).containsOnly(false).hasSize(7);
        try (Process<ArrayList<Boolean>> child = Process.callable(() -> new ArrayList<>(List.of(lock.tryLock(),
                lock.tryLock(Duration.ZERO), lock.tryLock(Duration.ofSeconds(-5)), lock.tryLock(0, TimeUnit.SECONDS),
                lock.tryLock(-1, TimeUnit.MILLISECONDS), lock.tryLock(Duration.ofMillis(20)),
                lock.tryLock(20, TimeUnit.MILLISECONDS)))).start()) {
            assertThat(child.result(LONG)).containsOnly(false).hasSize(7);
        }
        lock.unlock();
        // A free lock is taken without waiting, whatever the timeout.
        try (Process<ArrayList<Boolean>> child = Process.callable(() -> {
            ArrayList<Boolean> took = new ArrayList<>();
            for (Duration timeout : List.of(Duration.ZERO, Duration.ofSeconds(-5), Duration.ofMillis(20))) {
                boolean got = lock.tryLock(timeout);
                took.add(got);
                if (got) {
                    lock.unlock();
                }
            }
            return took;
        }).start()) {
            assertThat(child.result(LONG)).containsExactly(true, true, true);
        }
        assertThat(lock.tryLock(Duration.ofMillis(-1))).isTrue();
        lock.unlock();
    }

    @Test
    void anInterruptEndsALocalWaitButNotLock() throws Exception {
        ProcessLock lock = new ProcessLock();
        lock.lock();
        CompletableFuture<String> interruptible = new CompletableFuture<>();
        Thread waiter = Thread.ofPlatform().name("interruptible-waiter").start(() -> {
            try {
                lock.lockInterruptibly();
                interruptible.complete("locked");
            } catch (InterruptedException e) {
                interruptible.complete("interrupted, held: " + lock.isHeldByCurrentThread());
            }
        });
        Await.until("the waiter waits", () -> waiter.getState() == Thread.State.WAITING);
        waiter.interrupt();
        assertThat(interruptible.get(60, TimeUnit.SECONDS)).isEqualTo("interrupted, held: false");

        CompletableFuture<String> timed = new CompletableFuture<>();
        Thread timedWaiter = Thread.ofPlatform().name("timed-waiter").start(() -> {
            try {
                timed.complete("tryLock returned " + lock.tryLock(LONG));
            } catch (InterruptedException e) {
                timed.complete("interrupted");
            }
        });
        Await.until("the timed waiter waits", () -> timedWaiter.getState() == Thread.State.TIMED_WAITING);
        timedWaiter.interrupt();
        assertThat(timed.get(60, TimeUnit.SECONDS)).isEqualTo("interrupted");

        CompletableFuture<String> stubborn = new CompletableFuture<>();
        Thread plain = Thread.ofPlatform().name("plain-waiter").start(() -> {
            lock.lock();
            stubborn.complete("locked, interrupted: " + Thread.currentThread().isInterrupted());
            lock.unlock();
        });
        Await.until("the plain waiter waits", () -> plain.getState() == Thread.State.WAITING);
        plain.interrupt();
        Await.until("the interrupt was seen", () -> plain.getState() == Thread.State.WAITING && !plain.isInterrupted());
        assertThat(stubborn).isNotDone();
        lock.unlock();
        assertThat(stubborn.get(60, TimeUnit.SECONDS)).isEqualTo("locked, interrupted: true");
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void anInterruptCancelsAWaitFromAnotherProcessWithoutLeavingTheLockToIt() throws Exception {
        ProcessLock lock = new ProcessLock();
        lock.lock();
        try (Process<String> child = Process.callable(() -> {
            CompletableFuture<String> outcome = new CompletableFuture<>();
            Thread waiter = Thread.ofPlatform().name("remote-waiter").start(() -> {
                try {
                    lock.lockInterruptibly();
                    outcome.complete("locked");
                } catch (InterruptedException e) {
                    outcome.complete("interrupted");
                }
            });
            Await.until("the waiter waits for the holder", () -> waiter.getState() == Thread.State.WAITING);
            Thread.sleep(100); // a chance for the call to reach the holder and wait there; the test holds either way
            waiter.interrupt();
            return outcome.get(60, TimeUnit.SECONDS);
        }).start()) {
            assertThat(child.result(LONG)).isEqualTo("interrupted");
        }
        lock.unlock();
        // Had the cancelled wait gone on in the holder, it would have been given the lock just now.
        assertThat(lock.tryLock()).isTrue();
        lock.unlock();
    }

    @Test
    void aLockWhoseOwnerIsKilledGoesToTheNextWaiterWhoIsToldWhoDied() throws Exception {
        ProcessLock lock = new ProcessLock();
        String locked = dir.resolve("locked").toString();
        String waiting = dir.resolve("waiting").toString();
        try (Process<Void> owner = Process.target(() -> {
            lock.lock();
            Files.writeString(Path.of(locked), "x");
            Thread.sleep(Long.MAX_VALUE);
        }).start();
             Process<ArrayList<Long>> next = Process.callable(() -> {
                 Await.untilExists(Path.of(locked));
                 Files.writeString(Path.of(waiting), "x");
                 ArrayList<Long> seen = new ArrayList<>();
                 lock.lock();
                 seen.add(lock.previousOwnerDied().orElse(-1));
                 lock.unlock();
                 seen.add(lock.previousOwnerDied().orElse(-1));
                 lock.lock();
                 seen.add(lock.previousOwnerDied().orElse(-1));
                 lock.unlock();
                 return seen;
             }).start()) {
            Await.untilExists(Path.of(waiting));
            assertThat(lock.tryLock()).isFalse();
            owner.kill();
            assertThat(next.result(LONG)).as("the dead owner's pid, for that hold only")
                    .containsExactly(owner.pid(), -1L, -1L);
        }
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void anRLockHeldManyTimesByAKilledProcessIsReleasedWhole() throws Exception {
        ProcessRLock lock = new ProcessRLock();
        String locked = dir.resolve("locked").toString();
        try (Process<Void> owner = Process.target(() -> {
            lock.lock();
            lock.lock();
            Files.writeString(Path.of(locked), "x");
            Thread.sleep(Long.MAX_VALUE);
        }).start()) {
            Await.untilExists(Path.of(locked));
            assertThat(lock.tryLock()).isFalse();
            assertThat(lock.previousOwnerDied()).isEmpty();
            owner.kill();
            assertThat(lock.tryLock(LONG)).isTrue();
            assertThat(lock.previousOwnerDied()).hasValue(owner.pid());
            assertThat(lock.getHoldCount()).isEqualTo(1);
            lock.unlock();
        }
        assertThat(lock.isLocked()).isFalse();
        assertThat(lock.previousOwnerDied()).isEmpty();
    }
}
