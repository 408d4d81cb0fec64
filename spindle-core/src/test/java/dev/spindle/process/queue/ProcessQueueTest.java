package dev.spindle.process.queue;

import dev.spindle.process.AuthenticationException;
import dev.spindle.process.Handshake;
import dev.spindle.process.JavaCommand;
import dev.spindle.process.JavaSerializer;
import dev.spindle.process.Process;
import dev.spindle.process.wire.Hub;
import dev.spindle.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.example.gadgets.Gadget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessQueueTest {

    private static final Duration LONG = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @AfterAll
    static void noChildJvmOutlivesTheTests() throws Exception {
        JavaCommand.noChildOutlivesTheTests();
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MAX_VALUE, 7})
    void itemsPutInAChildArriveInOrderAndWhole(int capacity) throws Exception {
        ProcessQueue<String> queue = new ProcessQueue<>(capacity);
        try (Process<Void> producer = Process.target(() -> {
            for (int i = 0; i < 500; i++) {
                queue.put("item " + i + " " + "x".repeat(i));
            }
        }).start()) {
            for (int i = 0; i < 500; i++) {
                assertThat(queue.poll(LONG)).isEqualTo("item " + i + " " + "x".repeat(i));
            }
            producer.join();
            assertThat(producer.exitCode()).hasValue(0);
            assertThat(queue.poll()).isNull();
        }
    }

    @Test
    void manyProducersAndConsumersInChildProcessesDeliverEveryItemExactlyOnce() throws Exception {
        int producers = 3;
        int consumers = 3;
        int each = 2000;
        ProcessQueue<String> queue = new ProcessQueue<>();
        List<Process<Void>> makers = new ArrayList<>();
        List<Process<ArrayList<String>>> eaters = new ArrayList<>();
        try {
            for (int c = 0; c < consumers; c++) {
                eaters.add(Process.callable(() -> {
                    ArrayList<String> got = new ArrayList<>();
                    for (String item; !(item = queue.take()).equals("done"); ) {
                        got.add(item);
                    }
                    return got;
                }).start());
            }
            for (int p = 0; p < producers; p++) {
                int me = p;
                makers.add(Process.target(() -> {
                    for (int i = 0; i < each; i++) {
                        queue.put(me + ":" + i);
                    }
                }).start());
            }
            for (Process<Void> maker : makers) {
                maker.join();
                assertThat(maker.exitCode()).hasValue(0);
            }
            for (int c = 0; c < consumers; c++) {
                queue.put("done");
            }
            List<String> all = new ArrayList<>();
            for (Process<ArrayList<String>> eater : eaters) {
                all.addAll(eater.result(LONG));
            }
            Set<String> expected = new HashSet<>();
            for (int p = 0; p < producers; p++) {
                for (int i = 0; i < each; i++) {
                    expected.add(p + ":" + i);
                }
            }
            assertThat(all).hasSize(producers * each).doesNotHaveDuplicates();
            assertThat(new HashSet<>(all)).isEqualTo(expected);
            assertThat(queue.isEmpty()).isTrue();
        } finally {
            makers.forEach(Process::close);
            eaters.forEach(Process::close);
        }
    }

    @Test
    void aBoundedQueueRefusesWhenFullAndEveryTimeoutFormKeepsTheDurationRule() throws Exception {
        ProcessQueue<Integer> queue = new ProcessQueue<>(2);
        assertThat(queue.offer(1)).isTrue();
        queue.put(2);
        assertThat(queue.remainingCapacity()).isZero();
        assertThat(queue.offer(3)).as("full: Python's queue.Full").isFalse();
        assertThat(queue.offer(3, Duration.ZERO)).isFalse();
        assertThat(queue.offer(3, Duration.ofSeconds(-5))).as("negative does not wait").isFalse();
        assertThat(queue.offer(3, 20, TimeUnit.MILLISECONDS)).isFalse();
        assertThatThrownBy(() -> queue.add(3)).isInstanceOf(IllegalStateException.class);
        assertThat(queue.size()).isEqualTo(2);
        // The same from another process, where each call crosses to the holder.
        try (Process<List<Object>> child = Process.callable(() -> List.<Object>of(
                queue.offer(3), queue.offer(3, Duration.ZERO), queue.offer(3, Duration.ofMillis(-1)),
                queue.offer(3, Duration.ofMillis(50)), queue.remainingCapacity(), queue.poll(), queue.poll(),
                String.valueOf(queue.poll()), String.valueOf(queue.poll(Duration.ZERO)),
                String.valueOf(queue.poll(Duration.ofSeconds(-1))), String.valueOf(queue.poll(Duration.ofMillis(50)))))
                .start()) {
            assertThat(child.result(LONG)).containsExactly(false, false, false, false, 0, 1, 2, "null", "null", "null",
                    "null");
        }
        assertThat(queue.poll(Duration.ZERO)).isNull();
        assertThat(queue.poll(Duration.ofMillis(-1))).isNull();
        assertThat(queue.poll(20, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aPutThatWaitsForRoomGoesOnOnceAConsumerTakes() throws Exception {
        ProcessQueue<Integer> queue = new ProcessQueue<>(1);
        queue.put(0);
        String waiting = dir.resolve("waiting").toString();
        try (Process<Void> producer = Process.target(() -> {
            Files.writeString(Path.of(waiting), "x");
            queue.put(1);          // waits in the holder until the parent takes 0
            queue.put(2);
        }).start()) {
            Await.untilExists(Path.of(waiting));
            assertThat(queue.take()).isZero();
            assertThat(queue.take()).isEqualTo(1);
            assertThat(queue.take()).isEqualTo(2);
            producer.join();
            assertThat(producer.exitCode()).hasValue(0);
        }
    }

    @Test
    void queuesCrossDrainToAndIterateAsTheJdkSays() throws Exception {
        ProcessQueue<String> queue = new ProcessQueue<>();
        for (String s : List.of("a", "b", "c", "d")) {
            queue.put(s);
        }
        assertThat(queue.peek()).isEqualTo("a");
        assertThat(queue).containsExactly("a", "b", "c", "d");
        List<String> two = new ArrayList<>();
        assertThat(queue.drainTo(two, 2)).isEqualTo(2);
        assertThat(two).containsExactly("a", "b");
        try (Process<ArrayList<String>> child = Process.callable(() -> {
            ArrayList<String> rest = new ArrayList<>();
            queue.drainTo(rest);
            return rest;
        }).start()) {
            assertThat(child.result(LONG)).containsExactly("c", "d");
        }
        assertThatThrownBy(() -> queue.put(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new ProcessQueue<>(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxsize=0");
    }

    @Test
    void joinWaitsUntilEveryTaskIsDoneInAnyProcess() throws Exception {
        ProcessJoinableQueue<Integer> work = new ProcessJoinableQueue<>();
        ProcessQueue<Integer> done = new ProcessQueue<>();
        assertThat(work.join(Duration.ZERO)).as("nothing put, nothing to wait for").isTrue();
        try (Process<Void> consumer = Process.target(() -> {
            while (true) {
                int n = work.take();
                done.put(n * n);
                work.taskDone();
            }
        }).daemon(true).start()) {
            for (int i = 0; i < 50; i++) {
                work.put(i);
            }
            assertThat(work.join(LONG)).isTrue();
            assertThat(done.size()).isEqualTo(50);
            work.put(99);
            assertThat(work.join(Duration.ofMillis(-1)) && done.size() < 51).as("negative does not wait").isFalse();
            work.join();
            consumer.kill();
        }
        assertThatThrownBy(work::taskDone).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("too many times");
    }

    @Test
    void aProducerKilledMidStreamLosesNothingItHadPutAndLeavesTheQueueWhole() throws Exception {
        ProcessQueue<Integer> queue = new ProcessQueue<>();
        String progress = dir.resolve("progress").toString();
        try (Process<Void> producer = Process.target(() -> {
            for (int i = 0; ; i++) {
                queue.put(i);
                if (i % 100 == 99) {
                    // Written after put returned: each of these items must arrive. Renamed into place,
                    // so that a kill mid-write never leaves the reader an empty file.
                    Path next = Path.of(progress + ".next");
                    Files.writeString(next, Integer.toString(i));
                    Files.move(next, Path.of(progress), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                }
            }
        }).start()) {
            Await.until("the producer has put 2000 items", () -> Files.exists(Path.of(progress))
                    && !Files.readString(Path.of(progress)).isEmpty() && Integer.parseInt(Files.readString(Path.of(progress))) >= 2000);
            producer.kill();
            producer.join();
            int promised = Integer.parseInt(Files.readString(Path.of(progress)));
            List<Integer> got = new ArrayList<>();
            queue.drainTo(got);
            assertThat(got).as("every item once, in order, none torn").isEqualTo(IntStream.range(0, got.size()).boxed().toList());
            assertThat(got.size()).isGreaterThan(promised);
            queue.put(-1);
            assertThat(queue.take()).isEqualTo(-1);
        }
    }

    @Test
    void aConsumerKilledWhileBlockedInTakeBlocksNoOneAndItsBorrowedItemsComeBack() throws Exception {
        ProcessQueue<Integer> queue = new ProcessQueue<>();
        String took = dir.resolve("took").toString();
        String blocked = dir.resolve("blocked").toString();
        try (Process<Void> waiter = Process.target(() -> {
            Files.writeString(Path.of(blocked), "x");
            queue.take();
        }).start()) {
            Await.untilExists(Path.of(blocked));
            Thread.sleep(200); // a chance to reach the holder and wait there; the test holds either way
            waiter.kill();
            waiter.join();
        }
        for (int i = 0; i < 10; i++) {
            queue.put(i);
        }
        try (Process<Void> borrower = Process.target(() -> {
            Files.writeString(Path.of(took), Integer.toString(queue.take()));
            Thread.sleep(Long.MAX_VALUE);
        }).start()) {
            Await.untilExists(Path.of(took));
            assertThat(Files.readString(Path.of(took))).isEqualTo("0");
            borrower.kill();   // with items 1..9 sent to it ahead of its takes
            borrower.join();
        }
        List<Integer> rest = new ArrayList<>();
        for (int i = 1; i < 10; i++) {
            rest.add(queue.poll(LONG));
        }
        assertThat(rest).as("items sent ahead to the killed consumer came back, in order")
                .isEqualTo(IntStream.range(1, 10).boxed().toList());
        assertThat(queue.poll()).isNull();
    }

    @Test
    void aConsumerThatHoldsItemsItHasNotTakenGivesThemBackWhenAnotherMustWait() throws Exception {
        ProcessQueue<Integer> queue = new ProcessQueue<>();
        String took = dir.resolve("took").toString();
        for (int i = 0; i < 100; i++) {
            queue.put(i);
        }
        try (Process<Void> borrower = Process.target(() -> {
            Files.writeString(Path.of(took), Integer.toString(queue.take()));
            Thread.sleep(Long.MAX_VALUE);
        }).start()) {
            Await.untilExists(Path.of(took));
            List<Integer> got = new ArrayList<>();
            for (int i = 0; i < 99; i++) {
                got.add(queue.poll(LONG));
            }
            // Up to 64 were sent to the borrower ahead of its takes; the parent had what was left, then
            // waited, and the holder recalled the rest from the borrower, which is alive but not taking.
            assertThat(got).containsExactlyInAnyOrderElementsOf(IntStream.range(1, 100).boxed().toList());
            assertThat(queue.size()).isZero();
        }
    }

    /**
     * Python's end-marker pattern, with items on their way back from a recalled consumer while the
     * markers are lent to another: the recalled consumer's process is stopped (SIGSTOP) so that
     * its give-back arrives after the markers went out. Before the holder kept loans in put order,
     * the items came back behind the markers, and both consumers ended leaving most of them in the
     * queue.
     */
    @Test
    void itemsRecalledWhileTheEndMarkersAreLentElsewhereAreStillTakenBeforeTheLastMarker() throws Exception {
        ProcessQueue<String> work = new ProcessQueue<>();
        ProcessQueue<String> goA = new ProcessQueue<>();
        ProcessQueue<String> goB = new ProcessQueue<>();
        Path tookA = dir.resolve("a-took");
        Path tookB = dir.resolve("b-took");
        String tookAName = tookA.toString();
        String tookBName = tookB.toString();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i <= Borrowed.BATCH; i++) {
            work.put(Integer.toString(i));
            expected.add(Integer.toString(i));
        }
        expected.add("b0");
        try (Process<ArrayList<String>> a = Process.callable(() -> consumeUntilDone(work, goA, tookAName)).start();
             Process<ArrayList<String>> b = Process.callable(() -> consumeUntilDone(work, goB, tookBName))) {
            Await.untilExists(tookA); // a took "0" and holds a full batch more, lent ahead of its takes
            signal(a, "STOP");
            try {
                work.put("b0"); // a's loan is full, so this waits for b
                b.start();
                Await.untilExists(tookB);
                // Waiting here with the queue empty recalls a's loan; a is stopped and cannot give it back yet.
                assertThat(work.poll(Duration.ofMillis(50))).isNull();
                work.put("done");
                work.put("done"); // both lent to b, the one consumer the holder sends to now
            } finally {
                signal(a, "CONT"); // a gives its loan back only now
            }
            goA.put("go");
            ArrayList<String> byA = a.result(LONG);
            goB.put("go");
            ArrayList<String> byB = b.result(LONG);
            List<String> all = new ArrayList<>(byA);
            all.addAll(byB);
            assertThat(all).as("a took %s, b took %s", byA, byB).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(work.poll()).as("left behind").isNull();
        }
    }

    /** Takes one item, says so in {@code took}, waits for {@code go}, then takes until "done". */
    private static ArrayList<String> consumeUntilDone(ProcessQueue<String> work, ProcessQueue<String> go, String took)
            throws Exception {
        ArrayList<String> got = new ArrayList<>();
        got.add(work.take());
        work.size(); // a round trip: the holder has read that the item was taken before the test goes on
        Files.writeString(Path.of(took), got.getFirst());
        go.take();
        for (String item; !(item = work.take()).equals("done"); ) {
            got.add(item);
        }
        return got;
    }

    private static void signal(Process<?> process, String signal) throws Exception {
        java.lang.Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -%s", signal).isZero();
    }

    @Test
    void aPeerWithTheWrongKeyIsRefusedBeforeAnyByteOfItsItemReachesTheQueue() throws Exception {
        // The queue's serializer would accept a Gadget: only authentication stands between an intruder and readResolve.
        ProcessQueue<Object> queue = new ProcessQueue<>(Integer.MAX_VALUE, JavaSerializer.defaults().allow(Gadget.class));
        Path hub = Hub.get().address();
        int before = Gadget.resolved;
        try (SocketChannel intruder = SocketChannel.open(UnixDomainSocketAddress.of(hub))) {
            assertThatThrownBy(() -> Handshake.authenticate(Channels.newInputStream(intruder),
                    Channels.newOutputStream(intruder), Handshake.newKey(), false))
                    .isInstanceOf(AuthenticationException.class);
            // It goes on anyway, as a peer would: a hello, then a put of a planted item into the queue.
            byte[] planted = JavaSerializer.defaults().encode(new Gadget("planted"));
            ByteBuffer hello = ByteBuffer.allocate(4 + 26 + 17).putInt(26 + 17).put((byte) 2).putLong(0).putLong(0)
                    .put((byte) 5).putLong(0).putLong(0).put((byte) 0).putLong(1).flip();
            ByteBuffer put = ByteBuffer.allocate(4 + 26 + planted.length).putInt(26 + planted.length).put((byte) 2)
                    .putLong(0).putLong(queue.handle.id()).put((byte) 2).putLong(0).put(planted).flip();
            try {
                intruder.write(new ByteBuffer[] {hello, put});
            } catch (IOException refusedAlready) {
                // The hub may have closed it first; either way nothing of it was read.
            }
        }
        try (Process<String> child = Process.callable(() -> {
            queue.put(new Gadget("welcome"));
            return "put";
        }).start()) {
            assertThat(child.result(LONG)).isEqualTo("put");
        }
        assertThat(((Gadget) queue.take()).payload()).isEqualTo("welcome");
        assertThat(queue.poll()).as("the intruder's item never reached the queue").isNull();
        assertThat(Gadget.resolved).as("only the welcome gadget was resolved").isEqualTo(before + 1);
    }

    @Test
    void aClosedQueueRefusesThisProcessButNotOthers() throws Exception {
        ProcessQueue<String> queue = new ProcessQueue<>();
        try (Process<String> child = Process.callable(() -> {
            queue.put("from the child");
            queue.close();
            try {
                queue.put("again");
                return "not refused";
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
        }).start()) {
            assertThat(child.result(LONG)).contains("closed");
        }
        assertThat(queue.take()).isEqualTo("from the child");
        ProcessSimpleQueue<String> simple = new ProcessSimpleQueue<>();
        assertThat(simple.isEmpty()).isTrue();
        simple.put("x");
        assertThat(simple.get(Duration.ZERO)).isEqualTo("x");
        assertThat(simple.get(Duration.ofMillis(-1))).isNull();
    }

    @Test
    void aQueueWhoseHolderEndedSaysSoInsteadOfHanging() throws Exception {
        Path out = dir.resolve("out");
        java.lang.Process holder = new ProcessBuilder(JavaCommand.of(HolderThatEnds.class.getName(), out.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        try {
            assertThat(holder.waitFor(90, TimeUnit.SECONDS)).isTrue();
            Await.untilExists(out);
            assertThat(Files.readString(out)).as(Files.readString(dir.resolve("log")))
                    .startsWith("dev.spindle.process.HolderUnreachableException");
        } finally {
            holder.destroyForcibly();
        }
    }

    /** Makes a queue, hands it to a child that outlives it, and ends; the child reports what take threw. */
    public static final class HolderThatEnds {
        public static void main(String[] args) throws Exception {
            ProcessQueue<String> queue = new ProcessQueue<>();
            String out = args[0];
            queue.put("first");
            Process.target(() -> {
                // The parent exits once this child has its task; its queue goes with it.
                ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().join());
                String result;
                try {
                    queue.take();
                    result = "took";
                } catch (Exception e) {
                    result = e.getClass().getName() + ": " + e.getMessage();
                }
                Files.writeString(Path.of(out), result);
            }).start();
        }
    }
}
