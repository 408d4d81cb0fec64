package dev.spindle.process.pool;

import dev.spindle.process.ChildException;
import dev.spindle.process.ClassNotAllowedException;
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
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.example.gadgets.Gadget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One shared pool of two workers serves the tests that leave it whole, and those that kill its workers: it must recover. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessPoolTest {

    private static final Duration LONG = Duration.ofSeconds(60);
    private static ProcessPool pool;

    @TempDir
    Path dir;

    @BeforeAll
    static void startThePool() throws Exception {
        pool = ProcessPool.create(2);
    }

    @AfterAll
    static void noWorkerOutlivesThePool() throws Exception {
        if (pool != null) {
            pool.close();
            assertThat(pool.join(Duration.ZERO)).isTrue();
        }
        JavaCommand.noChildOutlivesTheTests();
    }

    private static long pid() {
        return ProcessHandle.current().pid();
    }

    @Test
    void applyRunsTheTaskInAWorkerProcessAndReturnsItsValue() throws Exception {
        long parent = pid();
        long worker = pool.apply(() -> ProcessHandle.current().pid());
        assertThat(worker).isNotEqualTo(parent);
        assertThat(pool.workerPids()).contains(worker);
        int answer = pool.apply((Integer x) -> x + 1, 41);
        assertThat(answer).isEqualTo(42);
        assertThat(pool.apply(() -> Process.current().name())).startsWith("ProcessPool-");
    }

    @Test
    void applyAsyncRunsItsCallbackInTheParentOnThePoolsResultThread() throws Exception {
        CompletableFuture<String> seen = new CompletableFuture<>();
        AsyncResult<Integer> result = pool.applyAsync(x -> x * 2, 21,
                value -> seen.complete(value + " on " + Thread.currentThread().getName() + " in " + pid()),
                error -> seen.completeExceptionally(error));
        assertThat(result.get(LONG)).isEqualTo(42);
        assertThat(seen.get(60, TimeUnit.SECONDS)).startsWith("42 on ProcessPool-").contains("-results in " + pid());
        assertThat(result.ready()).isTrue();
        assertThat(result.successful()).isTrue();
    }

    @Test
    void aTaskThatThrowsReachesTheErrorCallbackAndGetAsAChildException() throws Exception {
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        AsyncResult<Object> result = pool.applyAsync(() -> {
            throw new IllegalStateException("no such order");
        }, value -> seen.complete(null), seen::complete);
        assertThatThrownBy(result::get).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("java.lang.IllegalStateException: no such order")
                .cause().isInstanceOf(ChildException.class);
        assertThat(seen.get(60, TimeUnit.SECONDS)).isInstanceOf(ChildException.class)
                .extracting(t -> ((ChildException) t).className()).isEqualTo("java.lang.IllegalStateException");
        assertThat(result.successful()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 1000})
    void mapReturnsEveryResultInItemOrderWhateverTheChunkSize(int chunkSize) throws Exception {
        List<Integer> items = IntStream.range(0, 500).boxed().toList();
        List<Integer> squares = chunkSize == 0 ? pool.map(x -> x * x, items) : pool.map(x -> x * x, items, chunkSize);
        assertThat(squares).isEqualTo(items.stream().map(x -> x * x).toList());
    }

    @Test
    void tasksGoToTheLeastLoadedWorkerSoTwoTasksOnTwoIdleWorkersRunAtOnce() throws Exception {
        Await.until("both workers are ready", () -> pool.workerPids().size() == 2);
        String d = dir.toString();
        // Each task waits for the other: on one worker, one after the other, they would time out.
        List<Integer> both = pool.withTaskTimeout(LONG).map(i -> {
            Files.writeString(Path.of(d, "in-" + i), "here");
            while (!Files.exists(Path.of(d, "in-" + (1 - i)))) {
                Thread.sleep(5);
            }
            return i;
        }, List.of(0, 1), 1);
        assertThat(both).containsExactly(0, 1);
    }

    @Test
    void aLongTaskDoesNotHoldUpTheTasksSentToItsWorkerBehindIt() throws Exception {
        Await.until("both workers are ready", () -> pool.workerPids().size() == 2);
        pool.map(x -> x, IntStream.range(0, 2000).boxed().toList(), 1); // tiny tasks: the workers' windows grow
        String d = dir.toString();
        int quick = 60;
        // The long task waits until every quick one has run: any quick task stuck behind it would never run.
        AsyncResult<String> slow = pool.withTaskTimeout(LONG).applyAsync(() -> {
            while (true) {
                try (var marks = Files.list(Path.of(d))) {
                    if (marks.count() == quick) {
                        return "released";
                    }
                }
                Thread.sleep(5);
            }
        });
        List<AsyncResult<Object>> quickOnes = new ArrayList<>();
        for (int i = 0; i < quick; i++) {
            int n = i;
            quickOnes.add(pool.withTaskTimeout(LONG).applyAsync(() -> {
                Files.writeString(Path.of(d, "q" + n), "ran");
                return null;
            }));
        }
        for (AsyncResult<Object> q : quickOnes) {
            q.get(LONG);
        }
        assertThat(slow.get(LONG)).isEqualTo("released");
    }

    @Test
    void mapCarriesAnyAllowedValueAndEmptyInputGivesAnEmptyList() throws Exception {
        List<Object> items = List.of("text", 3L, 2.5, true, List.of(1, 2), Map.of("k", "v"));
        assertThat(pool.map(x -> x, items, 2)).isEqualTo(items);
        assertThat(pool.map(x -> x, List.of())).isEmpty();
        assertThat(pool.map(x -> x == null ? "null" : x, java.util.Arrays.asList(1, null, 3), 1))
                .containsExactly(1, "null", 3);
    }

    @Test
    void mapFailsWithTheFailedChunkAndThePoolServesOn() throws Exception {
        assertThatThrownBy(() -> pool.map(x -> 10 / x, List.of(1, 2, 0, 4), 1))
                .isInstanceOf(TaskFailedException.class).hasMessageContaining("ArithmeticException");
        assertThat(pool.map(x -> 10 / x, List.of(1, 2, 5), 1)).containsExactly(10, 5, 2);
    }

    @Test
    void mapAsyncCallsItsCallbackWithTheWholeList() throws Exception {
        CompletableFuture<List<Integer>> seen = new CompletableFuture<>();
        AsyncResult<List<Integer>> result = pool.mapAsync(x -> x + 1, List.of(1, 2, 3), 2, seen::complete,
                seen::completeExceptionally);
        assertThat(result.get(LONG)).containsExactly(2, 3, 4);
        assertThat(seen.get(60, TimeUnit.SECONDS)).containsExactly(2, 3, 4);
    }

    @Test
    void starmapAppliesTheFunctionToEachPair() throws Exception {
        List<Map.Entry<Integer, Integer>> pairs = List.of(Map.entry(2, 3), Map.entry(4, 5), Map.entry(6, 7));
        assertThat(pool.starmap((a, b) -> a * b, pairs)).containsExactly(6, 20, 42);
        assertThat(pool.starmapAsync((String a, Integer b) -> a.repeat(b), List.of(Map.entry("ab", 2))).get())
                .containsExactly("abab");
    }

    @Test
    void imapHandsOutResultsInOrderWhileLaterTasksStillRun() throws Exception {
        Path release = dir.resolve("release");
        String gate = release.toString();
        try (ResultIterator<Integer> results = pool.imap(x -> {
            if (x == 3) {
                // The last task waits for the test, which only lets it go once it has the first results.
                while (!Files.exists(Path.of(gate))) {
                    Thread.sleep(5);
                }
            }
            return x * 10;
        }, List.of(0, 1, 2, 3))) {
            assertThat(results.next(LONG)).isEqualTo(0);
            assertThat(results.next(LONG)).isEqualTo(10);
            assertThat(results.next(LONG)).isEqualTo(20);
            assertThatThrownBy(() -> results.next(Duration.ofMillis(50))).isInstanceOf(TimeoutException.class);
            Files.createFile(release);
            assertThat(results.next(LONG)).isEqualTo(30);
            assertThat(results.hasNext()).isFalse();
        }
    }

    @Test
    void imapReadsItsInputLazilySoAnEndlessInputIsFine() throws Exception {
        Iterator<Integer> endless = IntStream.iterate(0, i -> i + 1).iterator();
        Iterable<Integer> input = () -> endless;
        try (ResultIterator<Integer> results = pool.imap(x -> x + 1, input)) {
            for (int i = 0; i < 50; i++) {
                assertThat(results.next()).isEqualTo(i + 1);
            }
        }
    }

    @Test
    void imapThrowsOnceForAFailedItemAndGoesOn() throws Exception {
        ResultIterator<Integer> results = pool.imap(x -> 12 / x, List.of(1, 0, 3));
        assertThat(results.next()).isEqualTo(12);
        assertThatThrownBy(results::next).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("ArithmeticException");
        assertThat(results.next()).isEqualTo(4);
        assertThat(results.hasNext()).isFalse();
    }

    @Test
    void imapUnorderedReturnsEveryResultExactlyOnce() throws Exception {
        List<Integer> items = IntStream.range(0, 300).boxed().toList();
        try (ResultIterator<Integer> results = pool.imapUnordered(x -> x * 3, items, 4)) {
            List<Integer> got = results.stream().toList();
            assertThat(got).hasSize(300);
            assertThat(new HashSet<>(got)).isEqualTo(items.stream().map(x -> x * 3).collect(Collectors.toSet()));
        }
    }

    @Test
    void aWorkerKilledMidTaskFailsOnlyItsTaskAndAReplacementServes() throws Exception {
        Path pidFile = dir.resolve("pid");
        String where = pidFile.toString();
        AsyncResult<String> doomed = pool.applyAsync(() -> {
            Files.writeString(Path.of(where), Long.toString(ProcessHandle.current().pid()));
            Thread.sleep(120_000);
            return "never";
        });
        List<AsyncResult<Integer>> others = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int n = i;
            others.add(pool.applyAsync(() -> n));
        }
        Await.untilExists(pidFile);
        long victim = Long.parseLong(Files.readString(pidFile));
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();

        assertThatThrownBy(doomed::get).isInstanceOf(TaskFailedException.class).cause()
                .isInstanceOf(WorkerDiedException.class)
                .hasMessageContaining("pid " + victim).hasMessageContaining("signal 9 (SIGKILL)")
                .satisfies(e -> assertThat(((WorkerDiedException) e).exitCode()).isEqualTo(-9));
        for (int i = 0; i < 40; i++) {
            assertThat(others.get(i).get(LONG)).isEqualTo(i);
        }
        Await.until("a replacement worker is ready", () -> pool.workerPids().size() == 2);
        assertThat(pool.workerPids()).doesNotContain(victim);
        assertThat(pool.map(x -> x, List.of(1, 2, 3))).containsExactly(1, 2, 3);
    }

    @Test
    void systemExitInATaskFailsThatTaskWithTheExitCode() throws Exception {
        AsyncResult<Object> exits = pool.applyAsync(() -> {
            System.exit(3);
            return null;
        });
        assertThatThrownBy(exits::get).isInstanceOf(TaskFailedException.class).cause()
                .isInstanceOf(WorkerDiedException.class).hasMessageContaining("exited with code 3");
        assertThat(pool.apply(() -> "still serving")).isEqualTo("still serving");
    }

    @Test
    void aTaskPastItsTimeoutFailsAndItsWorkerIsReplaced() throws Exception {
        ProcessPool strict = pool.withTaskTimeout(Duration.ofMillis(300));
        Path pidFile = dir.resolve("pid");
        String where = pidFile.toString();
        AsyncResult<Object> slow = strict.applyAsync(() -> {
            Files.writeString(Path.of(where), Long.toString(ProcessHandle.current().pid()));
            Thread.sleep(120_000);
            return null;
        });
        assertThatThrownBy(slow::get).isInstanceOf(TaskFailedException.class).cause()
                .isInstanceOf(TaskTimeoutException.class).hasMessageContaining("300 ms");
        long stopped = Long.parseLong(Files.readString(pidFile));
        assertThat(strict.apply(() -> "next")).isEqualTo("next");
        // One look-up: the process may vanish between two.
        Await.until("the stopped worker has exited", () -> ProcessHandle.of(stopped).map(h -> !h.isAlive()).orElse(true));
        Await.until("a replacement worker is ready", () -> pool.workerPids().size() == 2);
        assertThat(pool.workerPids()).doesNotContain(stopped);
    }

    @Test
    void aResultThatCannotBeDecodedFailsOnlyItsTask() throws Exception {
        assertThatThrownBy(() -> pool.apply(() -> new Gadget("not on the list"))).isInstanceOf(TaskFailedException.class)
                .cause().isInstanceOf(ClassNotAllowedException.class).hasMessageContaining(Gadget.class.getName());
        assertThat(pool.apply(() -> "fine")).isEqualTo("fine");
    }

    @Test
    void aTaskThatCannotBeSerializedIsRefusedAtOnce() {
        Object notSerializable = new Object();
        assertThatThrownBy(() -> pool.applyAsync(() -> notSerializable.hashCode()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("java.lang.Object");
    }

    @Test
    void maxTasksPerChildRecyclesWorkersWithoutStallingABacklog() throws Exception {
        try (ProcessPool recycling = ProcessPool.builder().workers(2).maxTasksPerChild(5).build()) {
            List<Long> pids = recycling.map(x -> ProcessHandle.current().pid(), IntStream.range(0, 40).boxed().toList(), 1);
            assertThat(pids).hasSize(40);
            Map<Long, Long> perWorker = pids.stream().collect(Collectors.groupingBy(p -> p, Collectors.counting()));
            assertThat(perWorker.values()).allMatch(n -> n <= 5);
            assertThat(perWorker).hasSizeGreaterThanOrEqualTo(8);
        }
    }

    @Test
    void terminateCancelsRunningAndQueuedTasksAndStopsEveryWorker() throws Exception {
        ProcessPool doomed = ProcessPool.builder().workers(1).build();
        Path started = dir.resolve("started");
        String where = started.toString();
        AsyncResult<Object> running = doomed.applyAsync(() -> {
            Files.writeString(Path.of(where), "started");
            Thread.sleep(120_000);
            return null;
        });
        AsyncResult<Object> queued = doomed.applyAsync(() -> "never");
        List<Long> workers;
        try {
            Await.untilExists(started);
            workers = doomed.workerPids();
        } finally {
            doomed.terminate();
        }
        assertThatThrownBy(running::get).isInstanceOf(CancellationException.class);
        assertThatThrownBy(queued::get).isInstanceOf(CancellationException.class);
        assertThat(doomed.join(LONG)).isTrue();
        for (long worker : workers) {
            assertThat(ProcessHandle.of(worker).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }
        assertThatThrownBy(() -> doomed.applyAsync(() -> 1)).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void anInitializerRunsInEachWorkerBeforeItsTasksAndThePoolWideTimeoutApplies() throws Exception {
        try (ProcessPool initialized = ProcessPool.builder().workers(1).taskTimeout(Duration.ofMillis(500))
                .initializer(() -> System.setProperty("pool.test.greeting", "hello from the initializer")).build()) {
            assertThat(initialized.apply(() -> System.getProperty("pool.test.greeting")))
                    .isEqualTo("hello from the initializer");
            assertThatThrownBy(() -> initialized.apply(() -> {
                Thread.sleep(120_000);
                return null;
            })).isInstanceOf(TaskFailedException.class).cause().isInstanceOf(TaskTimeoutException.class);
            // The replacement ran the initializer too.
            assertThat(initialized.apply(() -> System.getProperty("pool.test.greeting")))
                    .isEqualTo("hello from the initializer");
        }
    }

    @Test
    void anOutOfMemoryErrorFailsItsTaskAndTheWorkerIsReplacedWithoutLosingTheTasksBehindIt() throws Exception {
        Await.until("both workers are ready", () -> pool.workerPids().size() == 2);
        AsyncResult<Object> fatal = pool.applyAsync(() -> {
            throw new OutOfMemoryError("pretend the heap ran out");
        });
        List<AsyncResult<Integer>> behind = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            int n = i;
            behind.add(pool.applyAsync(() -> n));
        }
        assertThatThrownBy(fatal::get).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("java.lang.OutOfMemoryError: pretend the heap ran out");
        for (int i = 0; i < 30; i++) {
            assertThat(behind.get(i).get(LONG)).isEqualTo(i);
        }
        Await.until("a replacement worker is ready", () -> pool.workerPids().size() == 2);
        assertThat(pool.apply(() -> "after")).isEqualTo("after");
    }

    @Test
    void anInitializerThatThrowsBreaksThePoolWithAClearErrorAndNoRespawnLoop() throws Exception {
        ProcessPool broken = ProcessPool.builder().workers(2).initializer(() -> {
            throw new IllegalStateException("no database here");
        }).build();
        AsyncResult<String> waiting = broken.applyAsync(() -> "never");
        assertThatThrownBy(waiting::get).isInstanceOf(TaskFailedException.class).cause()
                .isInstanceOf(BrokenPoolException.class).hasMessageContaining("initializer")
                .hasMessageContaining("no database here");
        assertThat(broken.join(LONG)).isTrue();
        assertThat(ProcessHandle.current().children().filter(c -> broken.workerPids().contains(c.pid()))).isEmpty();
        assertThatThrownBy(() -> broken.applyAsync(() -> "later")).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("no database here");
    }

    @Test
    void anImapWhosePoolShutsDownMidwayEndsWithTheRefusalInsteadOfWaiting() throws Exception {
        ProcessPool closing = ProcessPool.builder().workers(1).build();
        try {
            Iterator<Integer> endless = IntStream.iterate(0, i -> i + 1).iterator();
            ResultIterator<Integer> results = closing.imap(x -> x, () -> endless);
            assertThat(results.next(LONG)).isZero();
            closing.shutdown();
            // What was fed before the refusal still arrives; then the refusal, once; then the end.
            Throwable refused = null;
            while (refused == null) {
                try {
                    results.next(LONG);
                } catch (TaskFailedException e) {
                    refused = e.getCause();
                }
            }
            assertThat(refused).isInstanceOf(RejectedExecutionException.class);
            assertThat(results.hasNext()).isFalse();
        } finally {
            closing.terminate();
            assertThat(closing.join(LONG)).isTrue();
        }
    }

    @Test
    void aWorkerThatHangsAsItStartsIsStoppedAndThePoolBreaksRatherThanWaitForever() throws Exception {
        ProcessPool hanging = ProcessPool.builder().workers(1).startTimeout(Duration.ofMillis(500))
                .initializer(() -> Thread.sleep(600_000)).build();
        try {
            AsyncResult<String> waiting = hanging.applyAsync(() -> "never");
            assertThatThrownBy(waiting::get).isInstanceOf(TaskFailedException.class).cause()
                    .isInstanceOf(BrokenPoolException.class).hasMessageContaining("not ready within");
        } finally {
            hanging.close();
        }
        assertThat(hanging.join(Duration.ZERO)).isTrue();
    }

    @Test
    void aCancelledTaskAlreadySentToABusyWorkerNeverRuns() throws Exception {
        try (ProcessPool one = ProcessPool.builder().workers(1).build()) {
            one.map(x -> x, IntStream.range(0, 2000).boxed().toList(), 1); // tiny tasks: the worker's window grows
            String d = dir.toString();
            AsyncResult<String> busy = one.applyAsync(() -> {
                while (!Files.exists(Path.of(d, "release"))) {
                    Thread.sleep(5);
                }
                return "done";
            });
            CompletableFuture<Object> behind = one.applyAsync(() -> {
                Files.writeString(Path.of(d, "ran"), "the cancelled task ran");
                return null;
            }).toCompletableFuture();
            assertThat(behind.cancel(false)).isTrue();
            AsyncResult<String> after = one.applyAsync(() -> "after");
            Files.writeString(dir.resolve("release"), "go");
            assertThat(busy.get(LONG)).isEqualTo("done");
            assertThat(after.get(LONG)).isEqualTo("after");
            assertThat(behind).isCancelled();
            assertThat(dir.resolve("ran")).doesNotExist();
        }
    }

    @Test
    void tasksSubmittedAfterShutdownAreRefusedAndQueuedOnesStillFinish() throws Exception {
        ProcessPool closing = ProcessPool.builder().workers(1).build();
        List<AsyncResult<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            queued.add(closing.applyAsync(() -> n));
        }
        assertThatThrownBy(closing::join).isInstanceOf(IllegalStateException.class).hasMessageContaining("shutdown()");
        closing.shutdown();
        assertThatThrownBy(() -> closing.applyAsync(() -> 1)).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("shut down");
        for (int i = 0; i < 20; i++) {
            assertThat(queued.get(i).get(LONG)).isEqualTo(i);
        }
        assertThat(closing.join(LONG)).isTrue();
    }

    @Test
    void asyncResultWaitsAndReportsReadinessLikePythons() throws Exception {
        AsyncResult<String> result = pool.applyAsync(() -> "done");
        assertThat(result.waitFor(LONG)).isTrue();
        assertThat(result.ready()).isTrue();
        assertThat(result.successful()).isTrue();
        assertThat(result.toCompletableFuture().get()).isEqualTo("done");
        AsyncResult<Object> pending = pool.withTaskTimeout(Duration.ofSeconds(30)).applyAsync(() -> {
            Thread.sleep(200);
            return null;
        });
        assertThat(pending.ready()).isFalse();
        assertThatThrownBy(pending::successful).isInstanceOf(IllegalStateException.class);
        pending.waitFor();
        assertThat(pending.successful()).isTrue();
    }

    @Test
    void callbacksRunInTheParentForEveryTaskOfAManyTaskBurst() throws Exception {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        List<AsyncResult<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            results.add(pool.applyAsync(x -> x, i, seen::add, null));
        }
        for (AsyncResult<Integer> r : results) {
            r.get();
        }
        Await.until("every callback ran", () -> seen.size() == 200);
        Set<Integer> distinct = new HashSet<>(seen);
        assertThat(distinct).hasSize(200);
    }
}
