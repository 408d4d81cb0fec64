package dev.spindle.process.sync;

import dev.spindle.process.JavaCommand;
import dev.spindle.process.Process;
import dev.spindle.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessSemaphoreTest {

    private static final Duration LONG = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @AfterAll
    static void noChildJvmOutlivesTheTests() throws Exception {
        JavaCommand.noChildOutlivesTheTests();
    }

    @Test
    void noMoreThreadsOfAnyProcessesHoldPermitsAtOnceThanThereAre() throws Exception {
        ProcessSemaphore seats = new ProcessSemaphore(2);
        String counts = dir.resolve("counts").toString();
        Files.write(Path.of(counts), new byte[8]);   // inside:4 most:4, updated under an OS file lock
        List<Process<Void>> children = new ArrayList<>();
        try {
            for (int c = 0; c < 3; c++) {
                children.add(Process.target(() -> {
                    for (int i = 0; i < 15; i++) {
                        seats.acquire();
                        try {
                            count(counts, +1);
                            Thread.sleep(5);
                            count(counts, -1);
                        } finally {
                            seats.release();
                        }
                    }
                }).start());
            }
            for (Process<Void> child : children) {
                child.join();
                assertThat(child.exitCode()).hasValue(0);
            }
        } finally {
            children.forEach(Process::close);
        }
        ByteBuffer seen = ByteBuffer.wrap(Files.readAllBytes(Path.of(counts)));
        assertThat(seen.getInt(0)).isZero();
        assertThat(seen.getInt(4)).as("the most holders at once").isBetween(1, 2);
        assertThat(seats.availablePermits()).isEqualTo(2);
    }

    /** Adds {@code delta} to the count of holders in {@code file}, keeping the most seen: across processes, by an OS lock. */
    private static void count(String file, int delta) throws Exception {
        try (FileChannel channel = FileChannel.open(Path.of(file), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock held = channel.lock();
            try {
                ByteBuffer counts = ByteBuffer.allocate(8);
                channel.read(counts, 0);
                int inside = counts.getInt(0) + delta;
                counts.putInt(0, inside).putInt(4, Math.max(inside, counts.getInt(4)));
                channel.write(counts.rewind(), 0);
            } finally {
                held.release();
            }
        }
    }

    @Test
    void anAcquireWaitsUntilAnotherProcessReleases() throws Exception {
        ProcessSemaphore gate = new ProcessSemaphore(0);
        String waiting = dir.resolve("waiting").toString();
        try (Process<Integer> child = Process.callable(() -> {
            Files.writeString(Path.of(waiting), "x");
            gate.acquire(2);
            return gate.availablePermits();
        }).start()) {
            Await.untilExists(Path.of(waiting));
            gate.release();
            assertThat(gate.availablePermits()).isEqualTo(1);
            gate.release(2);
            assertThat(child.result(LONG)).isEqualTo(1);
        }
        assertThat(gate.drainPermits()).isEqualTo(1);
        assertThat(gate.availablePermits()).isZero();
    }

    @Test
    void everyTimedFormKeepsTheDurationRuleInTheHolderAndInAnotherProcess() throws Exception {
        ProcessSemaphore none = new ProcessSemaphore(1);
        assertThat(none.tryAcquire(2)).isFalse();
        none.acquireUninterruptibly();
        assertThat(List.of(none.tryAcquire(), none.tryAcquire(1), none.tryAcquire(Duration.ZERO),
                none.tryAcquire(Duration.ofSeconds(-5)), none.tryAcquire(0, TimeUnit.SECONDS),
                none.tryAcquire(1, -1, TimeUnit.MILLISECONDS), none.tryAcquire(2, Duration.ZERO),
                none.tryAcquire(Duration.ofMillis(20)), none.tryAcquire(1, 20, TimeUnit.MILLISECONDS)))
                .containsOnly(false).hasSize(9);
        try (Process<ArrayList<Boolean>> child = Process.callable(() -> new ArrayList<>(List.of(none.tryAcquire(),
                none.tryAcquire(Duration.ZERO), none.tryAcquire(Duration.ofSeconds(-5)),
                none.tryAcquire(1, 0, TimeUnit.SECONDS), none.tryAcquire(Duration.ofMillis(20)),
                none.tryAcquire(3, Duration.ofMillis(20)))))
                .start()) {
            assertThat(child.result(LONG)).containsOnly(false).hasSize(6);
        }
        none.release(2);
        assertThat(none.tryAcquire(2, Duration.ofMillis(-1))).as("free permits are taken without waiting").isTrue();
        assertThat(none.tryAcquire(0, Duration.ZERO)).isTrue();
        assertThatThrownBy(() -> none.acquire(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> none.release(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anInterruptEndsALocalAcquireButNotAcquireUninterruptibly() throws Exception {
        ProcessSemaphore empty = new ProcessSemaphore(0);
        CompletableFuture<String> interruptible = new CompletableFuture<>();
        Thread waiter = Thread.ofPlatform().name("interruptible-acquirer").start(() -> {
            try {
                empty.acquire();
                interruptible.complete("acquired");
            } catch (InterruptedException e) {
                interruptible.complete("interrupted");
            }
        });
        Await.until("the acquirer waits", () -> waiter.getState() == Thread.State.WAITING);
        waiter.interrupt();
        assertThat(interruptible.get(60, TimeUnit.SECONDS)).isEqualTo("interrupted");
        CompletableFuture<Boolean> stubborn = new CompletableFuture<>();
        Thread plain = Thread.ofPlatform().name("uninterruptible-acquirer").start(() -> {
            empty.acquireUninterruptibly();
            stubborn.complete(Thread.currentThread().isInterrupted());
        });
        Await.until("the acquirer waits", () -> plain.getState() == Thread.State.WAITING);
        plain.interrupt();
        Await.until("the interrupt was seen", () -> plain.getState() == Thread.State.WAITING && !plain.isInterrupted());
        assertThat(stubborn).isNotDone();
        empty.release();
        assertThat(stubborn.get(60, TimeUnit.SECONDS)).as("acquired, with the interrupt kept").isTrue();
        assertThat(empty.availablePermits()).as("the interrupted acquire took nothing").isZero();
    }

    @Test
    void aBoundedSemaphoreRefusesToReleaseMoreThanWasAcquiredFromAnyProcess() throws Exception {
        ProcessBoundedSemaphore bounded = new ProcessBoundedSemaphore(2);
        assertThatThrownBy(bounded::release).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ValueError");
        bounded.acquire(2);
        try (Process<String> child = Process.callable(() -> {
            bounded.release(2);
            try {
                bounded.release();
                return "released a third";
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
        }).start()) {
            assertThat(child.result(LONG)).contains("released more permits than were acquired");
        }
        assertThat(bounded.availablePermits()).isEqualTo(2);
        assertThat(bounded.bound()).isEqualTo(2);
        ProcessSemaphore unbounded = new ProcessSemaphore(2);
        unbounded.release();
        assertThat(unbounded.availablePermits()).as("a plain semaphore has no bound, as the JDK's").isEqualTo(3);
        assertThatThrownBy(() -> new ProcessBoundedSemaphore(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void permitsAKilledProcessAcquiredAreNotGivenBackButAnyoneMayReleaseThem() throws Exception {
        ProcessSemaphore one = new ProcessSemaphore(1);
        String acquired = dir.resolve("acquired").toString();
        try (Process<Void> holder = Process.target(() -> {
            one.acquire();
            Files.writeString(Path.of(acquired), "x");
            Thread.sleep(Long.MAX_VALUE);
        }).start()) {
            Await.untilExists(Path.of(acquired));
            holder.kill();
            holder.join();
        }
        assertThat(one.tryAcquire(Duration.ofMillis(50))).isFalse();
        one.release();
        assertThat(one.tryAcquire()).isTrue();
    }
}
