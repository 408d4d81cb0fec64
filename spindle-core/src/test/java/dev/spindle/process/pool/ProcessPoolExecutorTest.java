package dev.spindle.process.pool;

import dev.spindle.process.ChildException;
import dev.spindle.process.JavaCommand;
import dev.spindle.process.SerializableCallable;
import dev.spindle.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessPoolExecutorTest {

    private static ProcessPoolExecutor executor;

    @TempDir
    Path dir;

    @BeforeAll
    static void startTheExecutor() throws Exception {
        executor = ProcessPoolExecutor.create(2);
    }

    @AfterAll
    static void noWorkerOutlivesTheExecutor() throws Exception {
        if (executor != null) {
            executor.close();
            assertThat(executor.isTerminated()).isTrue();
        }
        JavaCommand.noChildOutlivesTheTests();
    }

    @Test
    void submitReturnsACompletableFutureThatAnyJdkCodeCanUse() throws Exception {
        CompletableFuture<Long> sum = executor.submit(() -> LongStream.range(0, 1_000_000).sum());
        assertThat(sum.thenApply(s -> s + 1).get(60, TimeUnit.SECONDS)).isEqualTo(499_999_500_001L);
        ExecutorService plain = executor;
        Future<String> where = plain.submit((Callable<String> & Serializable) () -> "pid " + ProcessHandle.current().pid());
        assertThat(where.get(60, TimeUnit.SECONDS)).isNotEqualTo("pid " + ProcessHandle.current().pid());
    }

    @Test
    void aFailingTaskFailsItsFutureWithTheChildsException() {
        CompletableFuture<Object> failing = executor.submit(() -> {
            throw new java.io.IOException("disk full");
        });
        assertThatThrownBy(() -> failing.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ChildException.class).hasMessage("java.io.IOException: disk full");
    }

    @Test
    void invokeAllRunsEveryTaskAndInvokeAnyReturnsOneThatSucceeded() throws Exception {
        List<SerializableCallable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int n = i;
            tasks.add(() -> n * n);
        }
        List<Future<Integer>> all = executor.invokeAll(tasks);
        for (int i = 0; i < 10; i++) {
            assertThat(all.get(i).get()).isEqualTo(i * i);
        }
        List<SerializableCallable<String>> racers = List.of(() -> {
            throw new IllegalStateException("loses");
        }, () -> "wins");
        assertThat(executor.invokeAny(racers)).isEqualTo("wins");
        List<SerializableCallable<String>> losers = List.of(() -> {
            throw new IllegalStateException("first");
        }, () -> {
            throw new IllegalStateException("second");
        });
        assertThatThrownBy(() -> executor.invokeAny(losers)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("IllegalStateException");
    }

    @Test
    void invokeAllWithATimeoutCancelsWhatDidNotFinish() throws Exception {
        List<SerializableCallable<String>> tasks = List.of(() -> "quick", () -> {
            Thread.sleep(120_000);
            return "slow";
        });
        List<Future<String>> done = executor.invokeAll(tasks, 10, TimeUnit.SECONDS);
        assertThat(done.get(0).get()).isEqualTo("quick");
        assertThat(done.get(1).isCancelled()).isTrue();
        assertThat(executor.submit(() -> "serving").get(60, TimeUnit.SECONDS)).isEqualTo("serving");
    }

    @Test
    void cancelTrueStopsTheWorkerRunningTheTaskAndTheExecutorServesOn() throws Exception {
        Path pidFile = dir.resolve("pid");
        Path after = dir.resolve("after");
        String where = pidFile.toString();
        String late = after.toString();
        CompletableFuture<Object> running = executor.submit(() -> {
            Files.writeString(Path.of(where), Long.toString(ProcessHandle.current().pid()));
            Thread.sleep(3_000);
            Files.writeString(Path.of(late), "the task was not stopped");
            return null;
        });
        Await.untilExists(pidFile);
        long worker = Long.parseLong(Files.readString(pidFile));
        assertThat(running.cancel(true)).isTrue();
        assertThatThrownBy(running::get).isInstanceOf(CancellationException.class);
        Await.until("the worker running the cancelled task has exited",
                () -> ProcessHandle.of(worker).map(h -> !h.isAlive()).orElse(true));
        assertThat(executor.submit(() -> "next").get(60, TimeUnit.SECONDS)).isEqualTo("next");
        assertThat(after).doesNotExist();
        Await.until("a replacement worker is ready", () -> executor.workerPids().size() == 2);
        assertThat(executor.workerPids()).doesNotContain(worker);
    }

    @Test
    void aTaskThatIsNotSerializableIsRefusedWithAClearMessage() {
        Callable<String> plain = new Callable<>() {
            @Override
            public String call() {
                return "x";
            }
        };
        ExecutorService asJdk = executor;
        assertThatThrownBy(() -> asJdk.submit(plain)).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("not Serializable").hasMessageContaining("SerializableCallable");
        assertThatThrownBy(() -> asJdk.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void aSerializableRunnableRunsAndItsFutureGivesTheResultAskedFor() throws Exception {
        Path mark = dir.resolve("ran");
        String where = mark.toString();
        Future<String> done = executor.submit((Runnable & Serializable) () -> {
            try {
                Files.writeString(Path.of(where), "ran");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "result");
        assertThat(done.get(60, TimeUnit.SECONDS)).isEqualTo("result");
        assertThat(mark).hasContent("ran");
    }

    @Test
    void shutdownLetsQueuedTasksFinishAndShutdownNowStopsRunningOnes() throws Exception {
        ProcessPoolExecutor draining = ProcessPool.builder().workers(1).buildExecutor();
        List<CompletableFuture<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int n = i;
            queued.add(draining.submit(() -> n));
        }
        draining.shutdown();
        assertThat(draining.isShutdown()).isTrue();
        assertThatThrownBy(() -> draining.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
        assertThat(draining.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 10; i++) {
            assertThat(queued.get(i).get()).isEqualTo(i);
        }

        ProcessPoolExecutor stopping = ProcessPool.builder().workers(1).buildExecutor();
        Path started = dir.resolve("started");
        String where = started.toString();
        CompletableFuture<Object> running = stopping.submit(() -> {
            Files.writeString(Path.of(where), "started");
            Thread.sleep(120_000);
            return null;
        });
        List<CompletableFuture<Integer>> waiting = IntStream.range(0, 3)
                .mapToObj(i -> stopping.submit(() -> i)).toList();
        List<Runnable> neverStarted;
        try {
            Await.untilExists(started);
        } finally {
            neverStarted = stopping.shutdownNow();
        }
        assertThat(neverStarted).hasSize(3);
        assertThatThrownBy(running::get).isInstanceOf(CancellationException.class);
        waiting.forEach(f -> assertThat(f).isCancelled());
        assertThat(stopping.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        assertThat(stopping.isTerminated()).isTrue();
    }

    @Test
    void theExecutorCanBeClosedWithTryWithResources() throws Exception {
        CompletableFuture<Integer> left;
        try (ProcessPoolExecutor scoped = ProcessPool.builder().workers(1).taskTimeout(Duration.ofSeconds(60))
                .buildExecutor()) {
            left = scoped.submit(() -> 7);
        }
        assertThat(left).isCompletedWithValue(7);
    }
}
