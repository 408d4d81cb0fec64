package dev.spindle.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeadlineTest {

    @ParameterizedTest
    @ValueSource(longs = {0, -1, -5_000_000_000L, Long.MIN_VALUE})
    void zeroOrNegativeTimeoutsHaveAlreadyPassed(long nanos) {
        Deadline d = Deadline.after(Duration.ofNanos(nanos));
        assertThat(d.hasExpired()).isTrue();
        assertThat(d.isNone()).isFalse();
        assertThat(d.remainingNanos()).isLessThanOrEqualTo(0);
    }

    @Test
    void aHugeTimeoutIsNoDeadline() {
        assertThat(Deadline.after(Duration.ofSeconds(Long.MAX_VALUE)).isNone()).isTrue();
        assertThat(Deadline.afterNanos(Long.MAX_VALUE).isNone()).isTrue();
    }

    @Test
    void aPositiveTimeoutLeavesTimeAndPasses() throws Exception {
        Deadline d = Deadline.after(Duration.ofHours(1));
        assertThat(d.hasExpired()).isFalse();
        assertThat(d.remainingNanos()).isPositive();
        assertThat(d.selectMillis()).isGreaterThanOrEqualTo(1);
        assertThat(Deadline.NONE.selectMillis()).isZero();
    }

    @Test
    void anExpiredDeadlineNeitherWaitsForALockHeldElsewhereNorForACondition() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        Thread holder = Thread.ofPlatform().name("deadline-test-holder").start(lock::lock);
        holder.join();
        Deadline passed = Deadline.after(Duration.ZERO);
        assertThat(passed.lock(lock)).isFalse();

        ReentrantLock own = new ReentrantLock();
        Condition never = own.newCondition();
        own.lock();
        try {
            assertThat(passed.await(never)).isFalse();
        } finally {
            own.unlock();
        }
        assertThatThrownBy(() -> passed.get(new CompletableFuture<>())).isInstanceOf(TimeoutException.class);
    }

    @Test
    void anExpiredDeadlineDoesNotWaitForAThreadToEndAndAnUnexpiredOneDoes() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread running = Thread.ofPlatform().name("deadline-test-running").start(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertThat(Deadline.after(Duration.ZERO).join(running)).isFalse();
            assertThat(Deadline.after(Duration.ofSeconds(-1)).join(running)).isFalse();
        } finally {
            release.countDown();
        }
        assertThat(Deadline.after(Duration.ofMinutes(1)).join(running)).isTrue();
        assertThat(Deadline.NONE.join(running)).isTrue();
        assertThat(Deadline.after(Duration.ZERO).join(running)).as("an ended thread, without waiting").isTrue();
    }

    @Test
    void anUnexpiredDeadlineTakesAFreeLockAndAFinishedFuture() throws Exception {
        Deadline d = Deadline.after(Duration.ofMinutes(1));
        ReentrantLock lock = new ReentrantLock();
        assertThat(d.lock(lock)).isTrue();
        assertThat(lock.isHeldByCurrentThread()).isTrue();
        assertThat(d.get(CompletableFuture.completedFuture("x"))).isEqualTo("x");
        assertThat(Deadline.NONE.get(CompletableFuture.completedFuture("y"))).isEqualTo("y");
    }
}
