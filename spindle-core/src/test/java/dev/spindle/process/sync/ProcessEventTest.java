package dev.spindle.process.sync;

import dev.spindle.process.JavaCommand;
import dev.spindle.process.Process;
import dev.spindle.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
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
class ProcessEventTest {

    private static final Duration LONG = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @AfterAll
    static void noChildJvmOutlivesTheTests() throws Exception {
        JavaCommand.noChildOutlivesTheTests();
    }

    @Test
    void aChildWaitsForTheParentsSetAndClearsItForTheParentToSee() throws Exception {
        ProcessEvent green = new ProcessEvent();
        ProcessEvent cleared = new ProcessEvent();
        String waiting = dir.resolve("waiting").toString();
        try (Process<ArrayList<Boolean>> child = Process.callable(() -> {
            ArrayList<Boolean> seen = new ArrayList<>();
            seen.add(green.isSet());
            Files.writeString(Path.of(waiting), "x");
            seen.add(green.await(LONG));
            seen.add(green.isSet());
            green.clear();
            seen.add(green.await(Duration.ofMillis(20)));
            cleared.set();
            return seen;
        }).start()) {
            Await.untilExists(Path.of(waiting));
            green.set();
            assertThat(cleared.await(LONG)).isTrue();
            assertThat(green.isSet()).isFalse();
            assertThat(child.result(LONG)).containsExactly(false, true, true, false);
        }
    }

    @Test
    void theParentWaitsForAChildsSet() throws Exception {
        ProcessEvent done = new ProcessEvent();
        try (Process<Void> child = Process.target(done::set).start()) {
            done.await();
            assertThat(done.isSet()).isTrue();
            child.join();
        }
    }

    @Test
    void everyTimedAwaitKeepsTheDurationRuleInTheHolderAndInAnotherProcess() throws Exception {
        ProcessEvent event = new ProcessEvent();
        assertThat(List.of(event.await(Duration.ZERO), event.await(Duration.ofSeconds(-5)),
                event.await(0, TimeUnit.SECONDS), event.await(-1, TimeUnit.MILLISECONDS),
                event.await(Duration.ofMillis(20)), event.await(20, TimeUnit.MILLISECONDS))).containsOnly(false);
        try (Process<ArrayList<Boolean>> child = Process.callable(() -> new ArrayList<>(List.of(
                event.await(Duration.ZERO), event.await(Duration.ofSeconds(-5)), event.await(0, TimeUnit.SECONDS),
                event.await(Duration.ofMillis(20))))).start()) {
            assertThat(child.result(LONG)).containsExactly(false, false, false, false);
        }
        event.set();
        assertThat(List.of(event.await(Duration.ZERO), event.await(Duration.ofSeconds(-5)),
                event.await(Duration.ofMillis(20)))).as("set: every wait returns at once").containsOnly(true);
        try (Process<ArrayList<Boolean>> child = Process.callable(() -> new ArrayList<>(List.of(
                event.await(Duration.ZERO), event.await(Duration.ofSeconds(-5))))).start()) {
            assertThat(child.result(LONG)).containsExactly(true, true);
        }
    }

    @Test
    void anInterruptEndsALocalWait() throws Exception {
        ProcessEvent never = new ProcessEvent();
        CompletableFuture<String> outcome = new CompletableFuture<>();
        Thread waiter = Thread.ofPlatform().name("event-waiter").start(() -> {
            try {
                never.await();
                outcome.complete("woken");
            } catch (InterruptedException e) {
                outcome.complete("interrupted");
            }
        });
        Await.until("the waiter waits", () -> waiter.getState() == Thread.State.WAITING);
        waiter.interrupt();
        assertThat(outcome.get(60, TimeUnit.SECONDS)).isEqualTo("interrupted");
        assertThat(never.isSet()).isFalse();
    }
}
