package dev.spindle.sync;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Event, BoundedSemaphore and JoinableQueue with real threads. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EventAndQueueTest {

    @Test
    void setWakesEveryWaiterEvenIfClearedBeforeTheyRunAgain() throws Exception {
        Event event = new Event();
        int waiters = 50;
        CountDownLatch waiting = new CountDownLatch(waiters);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < waiters; i++) {
                results.add(threads.submit(() -> {
                    waiting.countDown();
                    return event.await(Duration.ofSeconds(30));
                }));
            }
            waiting.await();
            Thread.sleep(100); // they are inside await
            event.set();
            event.clear();
            for (Future<Boolean> r : results) {
                assertThat(r.get(30, TimeUnit.SECONDS)).isTrue();
            }
        }
        assertThat(event.isSet()).isFalse();
    }

    @Test
    void awaitTimesOutAndZeroOnlyLooks() throws Exception {
        Event event = new Event();
        assertThat(event.await(Duration.ofMillis(50))).isFalse();
        assertThat(event.await(Duration.ZERO)).isFalse();
        event.set();
        assertThat(event.await(Duration.ZERO)).isTrue();
        assertThat(event.await(Duration.ofSeconds(-1))).isTrue();
    }

    @Test
    void aBoundedSemaphoreRefusesTheReleaseThatIsOneTooMany() throws Exception {
        BoundedSemaphore s = new BoundedSemaphore(2);
        s.acquire();
        assertThat(s.tryAcquire()).isTrue();
        assertThat(s.tryAcquire(Duration.ofMillis(20))).isFalse();
        s.release();
        s.release();
        assertThatThrownBy(s::release).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("released more often than acquired");
        assertThat(s.availablePermits()).isEqualTo(2);
        assertThatThrownBy(() -> new BoundedSemaphore(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void joinReturnsOnceEveryItemPutIsMarkedDone() throws Exception {
        JoinableQueue<Integer> queue = new JoinableQueue<>(new LinkedBlockingQueue<>());
        for (int i = 0; i < 100; i++) {
            queue.put(i);
        }
        assertThat(queue.join(Duration.ofMillis(50))).as("nothing handled yet").isFalse();
        List<Integer> handled = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ExecutorService consumers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < 4; c++) {
                consumers.submit(() -> {
                    Integer item;
                    while ((item = queue.poll(Duration.ofMillis(200))) != null) {
                        handled.add(item);
                        queue.taskDone();
                    }
                    return null;
                });
            }
            assertThat(queue.join(Duration.ofSeconds(30))).isTrue();
        }
        assertThat(handled).hasSize(100);
        assertThat(queue.unfinishedTasks()).isZero();
        assertThatThrownBy(queue::taskDone).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("more often than items were put");
    }

    @Test
    void anOfferThatFindsNoRoomIsNotCounted() throws Exception {
        JoinableQueue<String> queue = new JoinableQueue<>(new ArrayBlockingQueue<>(1));
        assertThat(queue.offer("a")).isTrue();
        assertThat(queue.offer("b")).isFalse();
        assertThat(queue.offer("c", Duration.ofMillis(20))).isFalse();
        assertThat(queue.unfinishedTasks()).isEqualTo(1);
        assertThat(queue.take()).isEqualTo("a");
        queue.taskDone();
        assertThat(queue.join(Duration.ZERO)).isTrue();
    }
}
