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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessBarrierTest {

    private static final Duration LONG = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @AfterAll
    static void noChildJvmOutlivesTheTests() throws Exception {
        JavaCommand.noChildOutlivesTheTests();
    }

    @Test
    void partiesInThreeProcessesMeetTwiceAndEachGetsItsOwnIndex() throws Exception {
        ProcessBarrier barrier = new ProcessBarrier(3);
        List<Process<ArrayList<Integer>>> children = new ArrayList<>();
        try {
            for (int c = 0; c < 2; c++) {
                children.add(Process.callable(() -> new ArrayList<>(List.of(barrier.await(), barrier.await(LONG))))
                        .start());
            }
            int first = barrier.await();
            int second = barrier.await(LONG);
            List<ArrayList<Integer>> theirs = new ArrayList<>();
            for (Process<ArrayList<Integer>> child : children) {
                theirs.add(child.result(LONG));
            }
            for (int round = 0; round < 2; round++) {
                Set<Integer> indices = new HashSet<>(List.of(round == 0 ? first : second));
                for (ArrayList<Integer> t : theirs) {
                    indices.add(t.get(round));
                }
                assertThat(indices).as("round " + round).containsExactlyInAnyOrder(0, 1, 2);
            }
            assertThat(barrier.getNumberWaiting()).isZero();
            assertThat(barrier.isBroken()).isFalse();
            assertThat(barrier.getParties()).isEqualTo(3);
        } finally {
            children.forEach(Process::close);
        }
    }

    @Test
    void aTimeoutBreaksTheBarrierForEveryPartyUntilReset() throws Exception {
        ProcessBarrier barrier = new ProcessBarrier(2);
        for (Duration timeout : List.of(Duration.ZERO, Duration.ofSeconds(-5), Duration.ofMillis(20))) {
            assertThatThrownBy(() -> barrier.await(timeout)).isInstanceOf(TimeoutException.class);
            assertThat(barrier.isBroken()).isTrue();
            assertThatThrownBy(barrier::await).isInstanceOf(BrokenBarrierException.class)
                    .hasMessageContaining("timed out");
            barrier.reset();
            assertThat(barrier.isBroken()).isFalse();
        }
        assertThatThrownBy(() -> barrier.await(0, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
        barrier.reset();
        try (Process<ArrayList<String>> child = Process.callable(() -> {
            ArrayList<String> seen = new ArrayList<>();
            for (Duration timeout : List.of(Duration.ZERO, Duration.ofMillis(-1), Duration.ofMillis(20))) {
                try {
                    barrier.await(timeout);
                    seen.add("tripped");
                } catch (TimeoutException e) {
                    seen.add("timed out, broken: " + barrier.isBroken());
                }
                barrier.reset();
            }
            return seen;
        }).start()) {
            assertThat(child.result(LONG)).containsOnly("timed out, broken: true").hasSize(3);
        }
        // The last party to arrive trips the barrier even with no time to wait.
        CompletableFuture<Integer> first = new CompletableFuture<>();
        Thread.ofPlatform().name("first-party").start(() -> {
            try {
                first.complete(barrier.await(LONG));
            } catch (Throwable e) {
                first.completeExceptionally(e);
            }
        });
        Await.until("the first party waits", () -> barrier.getNumberWaiting() == 1);
        assertThat(barrier.await(Duration.ZERO)).isZero();
        assertThat(first.get(60, TimeUnit.SECONDS)).isEqualTo(1);
    }

    @Test
    void anInterruptedPartyBreaksTheBarrierForTheOthers() throws Exception {
        ProcessBarrier barrier = new ProcessBarrier(3);
        CompletableFuture<String> interrupted = new CompletableFuture<>();
        Thread waiter = Thread.ofPlatform().name("interrupted-party").start(() -> {
            try {
                barrier.await();
                interrupted.complete("tripped");
            } catch (InterruptedException e) {
                interrupted.complete("interrupted");
            } catch (BrokenBarrierException e) {
                interrupted.complete("broken");
            }
        });
        try (Process<String> other = Process.callable(() -> {
            try {
                barrier.await();
                return "tripped";
            } catch (BrokenBarrierException e) {
                return e.getMessage();
            }
        }).start()) {
            Await.until("both parties wait", () -> barrier.getNumberWaiting() == 2);
            waiter.interrupt();
            assertThat(interrupted.get(60, TimeUnit.SECONDS)).isEqualTo("interrupted");
            assertThat(other.result(LONG)).contains("interrupted");
        }
        assertThat(barrier.isBroken()).isTrue();
    }

    @Test
    void aPartyKilledWhileItWaitsBreaksTheBarrierWithItsPid() throws Exception {
        ProcessBarrier barrier = new ProcessBarrier(3);
        try (Process<Integer> doomed = Process.callable(barrier::await).start()) {
            Await.until("the child waits", () -> barrier.getNumberWaiting() == 1);
            CompletableFuture<Integer> local = awaitOnAThread(barrier);
            Await.until("both wait", () -> barrier.getNumberWaiting() == 2);
            doomed.kill();
            assertThatThrownBy(() -> local.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(BrokenBarrierException.class)
                    .hasMessageContaining("process " + doomed.pid());
        }
        assertThatThrownBy(barrier::await).isInstanceOf(BrokenBarrierException.class).hasMessageContaining("ended");
    }

    @Test
    void aProcessThatHasTheBarrierAndIsKilledBeforeItArrivesBreaksItForThoseWaiting() throws Exception {
        ProcessBarrier barrier = new ProcessBarrier(3);
        String ready = dir.resolve("ready").toString();
        try (Process<Void> late = Process.target(() -> {
            Files.writeString(Path.of(ready), barrier.toString());   // it has its copy: the holder knows
            Thread.sleep(Long.MAX_VALUE);                             // and never arrives
        }).start();
             Process<String> waiting = Process.callable(() -> {
                 try {
                     barrier.await();
                     return "tripped";
                 } catch (BrokenBarrierException e) {
                     return e.getMessage();
                 }
             }).start()) {
            Await.untilExists(Path.of(ready));
            CompletableFuture<Integer> local = awaitOnAThread(barrier);
            Await.until("two parties wait", () -> barrier.getNumberWaiting() == 2);
            late.kill();
            assertThatThrownBy(() -> local.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(BrokenBarrierException.class)
                    .hasMessageContaining("process " + late.pid());
            assertThat(waiting.result(LONG)).contains("process " + late.pid());
        }
    }

    @Test
    void aProcessThatHasTheBarrierAndEndsWhileNoOneWaitsBreaksNothing() throws Exception {
        ProcessBarrier barrier = new ProcessBarrier(2);
        try (Process<Void> child = Process.target(() -> {
            barrier.await();
        }).start()) {
            assertThat(barrier.await(LONG)).isIn(0, 1);
            child.join();
            assertThat(child.exitCode()).hasValue(0);
        }
        // Ended after the trip, with no one waiting: the barrier is whole.
        assertThat(barrier.isBroken()).isFalse();
    }

    private static CompletableFuture<Integer> awaitOnAThread(ProcessBarrier barrier) {
        CompletableFuture<Integer> outcome = new CompletableFuture<>();
        Thread.ofPlatform().name("local-party").start(() -> {
            try {
                outcome.complete(barrier.await());
            } catch (Throwable e) {
                outcome.completeExceptionally(e);
            }
        });
        return outcome;
    }
}
