package dev.spindle.ignite;

import dev.spindle.process.ClassNotAllowedException;
import dev.spindle.process.SerializableCallable;
import dev.spindle.process.SerializationLimitException;
import dev.spindle.process.pool.AsyncResult;
import dev.spindle.process.pool.TaskFailedException;
import org.apache.ignite.Ignition;
import org.example.allowed.Point;
import org.example.offlist.Payload;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cluster's pool and executor on three nodes in JVMs of their own (and two more, started to be
 * killed): tasks across nodes, one failure failing one task, timeouts that stop the task, a node
 * killed mid-task under both failover choices, and the allow-list.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterPoolTest {

    private static TestCluster nodes;
    private static Cluster cluster;

    @BeforeAll
    static void startTheNodesAndJoin() throws Exception {
        nodes = TestCluster.start(3, 5);
        cluster = nodes.client();
    }

    @AfterAll
    static void leaveAndStopThem() throws Exception {
        if (nodes != null) {
            nodes.close();
        }
    }

    /** The node a task runs on, by its Spindle name. */
    static String here() {
        return Ignition.localIgnite().cluster().localNode().attribute(Member.IDENTITY);
    }

    private static void awaitTrue(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.call()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void aMapSpreadsItsItemsOverTheNodesAndKeepsTheirOrder() throws Exception {
        List<String> where = cluster.pool().map(i -> i + "@" + here(), IntStream.range(0, 24).boxed().toList());
        assertThat(where).hasSize(24);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 24; i++) {
            assertThat(where.get(i)).startsWith(i + "@");
            names.add(where.get(i).substring(where.get(i).indexOf('@') + 1));
        }
        assertThat(names).as("the nodes that ran a chunk").hasSizeGreaterThanOrEqualTo(2);
        assertThat(cluster.pool().workers()).isGreaterThanOrEqualTo(3);
        assertThat(cluster.members()).extracting(ClusterMember::identity).contains("node-1", "node-2", "node-3", "client");
    }

    @Test
    void oneFailingTaskFailsAloneWithItsOwnException() throws Exception {
        AsyncResult<Integer> bad = cluster.pool().applyAsync(() -> {
            throw new IllegalStateException("bad input 7");
        });
        AsyncResult<Integer> good = cluster.pool().applyAsync(() -> 6 * 7);
        assertThatThrownBy(bad::get).isInstanceOf(TaskFailedException.class)
                .cause().isInstanceOf(IllegalStateException.class).hasMessage("bad input 7");
        assertThat(good.get()).isEqualTo(42);
        assertThat(cluster.pool().apply((Integer x) -> x + 1, 41)).isEqualTo(42);
    }

    @Test
    void aTaskPastItsTimeoutIsStoppedOnItsNode() throws Exception {
        ConcurrentMap<String, String> seen = cluster.manager().dict();
        assertThatThrownBy(() -> cluster.pool().withTaskTimeout(Duration.ofSeconds(1)).apply(() -> {
            try {
                Thread.sleep(120_000);
                seen.put("finished", here());
            } catch (InterruptedException e) {
                seen.put("interrupted", here());
            }
            return null;
        })).isInstanceOf(TaskFailedException.class).cause().isInstanceOf(ClusterTaskTimeoutException.class)
                .hasMessageContaining("PT1S");
        awaitTrue("the task's thread was interrupted on its node", () -> seen.containsKey("interrupted"));
        assertThat(seen).doesNotContainKey("finished");
    }

    @Test
    void aTaskWhoseNodeIsKilledFailsNamingTheNodeAndTheOthersFinish() throws Exception {
        nodes.startNode("node-4");
        ConcurrentMap<String, String> started = cluster.manager().dict();
        ClusterPool pool = cluster.pool().withFailover(Failover.FAIL_FAST);
        List<AsyncResult<String>> results = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            results.add(pool.applyAsync(() -> {
                String me = here();
                if (me.equals("node-4")) {
                    started.put("victim", me);
                    Thread.sleep(120_000);
                }
                return me;
            }));
        }
        awaitTrue("a task is running on node-4", () -> started.containsKey("victim"));
        nodes.kill("node-4");
        int failed = 0;
        for (AsyncResult<String> r : results) {
            try {
                assertThat(r.get(Duration.ofSeconds(90))).isNotEqualTo("node-4");
            } catch (TaskFailedException e) {
                assertThat(e.getCause()).isInstanceOf(NodeLeftException.class);
                assertThat(((NodeLeftException) e.getCause()).node()).startsWith("node-4 (127.0.0.1:");
                failed++;
            }
        }
        assertThat(failed).as("the tasks that were on node-4").isPositive();
    }

    @Test
    void withRerunATaskWhoseNodeIsKilledRunsAgainElsewhere() throws Exception {
        nodes.startNode("node-5");
        ConcurrentMap<Integer, Integer> runs = cluster.manager().dict();
        ConcurrentMap<String, String> started = cluster.manager().dict();
        ClusterPool pool = cluster.pool().withFailover(Failover.RERUN);
        List<AsyncResult<String>> results = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            int task = i;
            results.add(pool.applyAsync(() -> {
                runs.merge(task, 1, Integer::sum);
                String me = here();
                if (me.equals("node-5")) {
                    started.put("victim", me);
                    Thread.sleep(120_000);
                }
                return me;
            }));
        }
        awaitTrue("a task is running on node-5", () -> started.containsKey("victim"));
        nodes.kill("node-5");
        for (AsyncResult<String> r : results) {
            assertThat(r.get(Duration.ofSeconds(90))).isNotEqualTo("node-5");
        }
        assertThat(runs.values()).as("runs per task: the ones on node-5 ran twice").contains(2)
                .allMatch(n -> n == 1 || n == 2);
    }

    @Test
    void aClassOffTheAllowListIsRefusedByNameBeforeItLeaves() throws Exception {
        Payload off = new Payload("secret");
        assertThatThrownBy(() -> cluster.pool().apply(() -> off.text()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("org.example.offlist.Payload")
                .cause().isInstanceOf(ClassNotAllowedException.class);
        Point allowed = new Point(3, 4);
        assertThat(cluster.pool().apply(() -> new Point(allowed.x() * 2, allowed.y() * 2))).isEqualTo(new Point(6, 8));
    }

    @Test
    void aTaskLargerThanTheSerializationLimitsIsRefusedBeforeItLeavesAndThePoolGoesOn() throws Exception {
        byte[] huge = new byte[20 * 1024 * 1024]; // more elements than an array may have (16 Mi by default)
        assertThatThrownBy(() -> cluster.pool().apply(() -> huge.length))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("a task cannot be sent to the cluster")
                .cause().isInstanceOf(SerializationLimitException.class);
        assertThat(cluster.pool().apply(() -> 6 * 7)).isEqualTo(42);
    }

    @Test
    void theExecutorRunsSerializableTasksOnTheNodesAndRefusesOthersWithTheReason() throws Exception {
        ExecutorService executor = cluster.executor();
        Future<Integer> answer = cluster.executor().submit(() -> 6 * 7);
        assertThat(answer.get(60, TimeUnit.SECONDS)).isEqualTo(42);
        List<Callable<String>> tasks = List.of((SerializableCallable<String>) ClusterPoolTest::here,
                (SerializableCallable<String>) ClusterPoolTest::here);
        List<Future<String>> all = executor.invokeAll(tasks, 60, TimeUnit.SECONDS);
        assertThat(all).hasSize(2);
        for (Future<String> f : all) {
            assertThat(f.get()).startsWith("node-");
        }
        Callable<Integer> plain = new Callable<>() {
            @Override
            public Integer call() {
                return 1;
            }
        };
        assertThatThrownBy(() -> executor.submit(plain)).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("is not Serializable");
    }
}
