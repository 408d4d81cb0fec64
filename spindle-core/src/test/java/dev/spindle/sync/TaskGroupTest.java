package dev.spindle.sync;

import dev.spindle.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskGroupTest {

    @Test
    void spawnedTasksRunOnVirtualThreadsAndJoinAllWaitsForThem() throws Exception {
        try (TaskGroup group = TaskGroup.open("calc")) {
            Task<Integer> a = group.spawn(() -> 6 * 7);
            Task<Boolean> virtual = group.spawn(() -> Thread.currentThread().isVirtual());
            Task<String> named = group.spawn(() -> Thread.currentThread().getName());
            assertThat(group.joinAll(Duration.ofSeconds(10))).isTrue();
            assertThat(a.value()).contains(42);
            assertThat(a.state()).isEqualTo(Task.State.SUCCEEDED);
            assertThat(virtual.value()).contains(true);
            assertThat(named.value()).contains("calc-3");
        }
    }

    @Test
    void oneFailureCancelsTheSiblingsAndIsTheGroupsFailure() throws Exception {
        AtomicBoolean siblingFinishedItsSleep = new AtomicBoolean();
        try (TaskGroup group = TaskGroup.open("failing")) {
            Task<Void> slow = group.spawn(() -> {
                Thread.sleep(30_000);
                siblingFinishedItsSleep.set(true);
                return null;
            });
            Task<Void> bad = group.spawn(() -> {
                throw new IllegalStateException("boom");
            });
            assertThat(group.joinAll(Duration.ofSeconds(10))).as("the sibling was cancelled, not waited for").isTrue();
            assertThat(bad.state()).isEqualTo(Task.State.FAILED);
            assertThat(bad.exception()).get().extracting(Throwable::getMessage).isEqualTo("boom");
            assertThat(slow.state()).isEqualTo(Task.State.CANCELLED);
            assertThat(siblingFinishedItsSleep).isFalse();
            assertThat(group.failure()).get().extracting(Throwable::getMessage).isEqualTo("boom");
            assertThatThrownBy(() -> bad.get(Duration.ZERO)).isInstanceOf(ExecutionException.class);
            Task<Integer> late = group.spawn(() -> 1);
            assertThat(late.state()).as("a spawn after the failure").isEqualTo(Task.State.CANCELLED);
        }
    }

    @Test
    void joinAllTimesOutAndCloseCancelsWhatStillRuns() throws Exception {
        TaskGroup group = TaskGroup.open("slow");
        Task<Void> sleeper = group.spawn(() -> {
            Thread.sleep(30_000);
            return null;
        });
        assertThat(group.joinAll(Duration.ofMillis(100))).isFalse();
        assertThatThrownBy(() -> sleeper.get(Duration.ofMillis(10))).isInstanceOf(TimeoutException.class);
        group.close();
        assertThat(sleeper.state()).isEqualTo(Task.State.CANCELLED);
        Await.until("the task's thread has ended", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("slow-1")));
        assertThatThrownBy(() -> group.spawn(() -> 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aGroupOnPlatformThreadsNamesThemAsItsOwnAndStillCancelsSiblings() throws Exception {
        try (TaskGroup group = TaskGroup.open("lookup", Thread.ofPlatform().daemon(true))) {
            Task<String> who = group.spawn(() -> Thread.currentThread().getName()
                    + (Thread.currentThread().isVirtual() ? " virtual" : " platform"));
            Task<Void> slow = group.spawn(() -> {
                Thread.sleep(30_000);
                return null;
            });
            Await.until("the first task finished", who::isDone);
            group.spawn(() -> {
                throw new IllegalStateException("boom");
            });
            assertThat(group.joinAll(Duration.ofSeconds(10))).isTrue();
            assertThat(who.value()).contains("lookup-1 platform");
            assertThat(slow.state()).isEqualTo(Task.State.CANCELLED);
        }
    }
}
