package dev.spindle.process;

import dev.spindle.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.example.gadgets.Gadget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@org.junit.jupiter.api.Timeout(value = 120, unit = java.util.concurrent.TimeUnit.SECONDS)
class ProcessTest {

    @TempDir
    Path dir;

    @AfterAll
    static void noChildJvmOutlivesTheTests() throws Exception {
        JavaCommand.noChildOutlivesTheTests();
    }

    @ParameterizedTest
    @EnumSource(StartMethod.class)
    void callableResultAndTheChildsIdentityComeBack(StartMethod method) throws Exception {
        try (Process<List<Object>> p = Process.callable(() -> {
            ProcessInfo me = Process.current();
            return List.<Object>of(me.name(), me.pid(), me.parentPid(), me.daemon());
        }).name("worker").startMethod(method).start()) {
            List<Object> who = p.result();
            assertThat(who).containsExactly("worker", p.pid(), ProcessHandle.current().pid(), false);
            assertThat(p.exitCode()).hasValue(0);
            assertThat(p.isAlive()).isFalse();
            assertThat(p.exception()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(StartMethod.class)
    void anUncaughtExceptionReachesTheParentWithTheChildsStackTrace(StartMethod method) throws Exception {
        try (Process<Void> p = Process.target(ProcessTest::failDeepInside).startMethod(method).start()) {
            p.join();
            assertThat(p.exitCode()).hasValue(1);
            ChildException thrown = p.exception().orElseThrow();
            assertThat(thrown.className()).isEqualTo("java.lang.IllegalStateException");
            assertThat(thrown.getMessage()).isEqualTo("java.lang.IllegalStateException: out of dumplings");
            assertThat(thrown.getCause()).isInstanceOf(ChildException.class)
                    .hasMessage("java.io.IOException: the cause");
            assertThat(Arrays.stream(thrown.getStackTrace()).map(StackTraceElement::getMethodName))
                    .contains("failDeepInside");
            assertThatThrownBy(p::result).isInstanceOf(ProcessFailedException.class)
                    .hasMessageContaining("threw java.lang.IllegalStateException: out of dumplings")
                    .hasCause(thrown);
        }
    }

    @ParameterizedTest
    @EnumSource(StartMethod.class)
    void whatATaskLeavesForTheExitStillHappensShutdownHooksThreadsAndFilesToDelete(StartMethod method) throws Exception {
        // A child whose task returned halts without a full exit only when nothing of the task's needs one.
        String hookRan = dir.resolve("hook").toString();
        String threadRan = dir.resolve("thread").toString();
        Path doomed = Files.writeString(dir.resolve("doomed"), "x");
        String doomedPath = doomed.toString();
        try (Process<Void> hook = Process.target(() -> Runtime.getRuntime().addShutdownHook(
                new Thread(() -> write(hookRan)))).startMethod(method).start();
             Process<Void> thread = Process.target(() -> Thread.ofPlatform().start(() -> {
                 try {
                     Thread.sleep(200);
                 } catch (InterruptedException e) {
                     return;
                 }
                 write(threadRan);
             })).startMethod(method).start();
             Process<Void> file = Process.target(() -> new java.io.File(doomedPath).deleteOnExit())
                     .startMethod(method).start()) {
            hook.join();
            thread.join();
            file.join();
            assertThat(hook.exitCode()).hasValue(0);
            assertThat(thread.exitCode()).hasValue(0);
            assertThat(file.exitCode()).hasValue(0);
        }
        assertThat(Path.of(hookRan)).as("the task's shutdown hook ran").exists();
        assertThat(Path.of(threadRan)).as("the task's non-daemon thread finished").exists();
        assertThat(doomed).as("the file the task marked was deleted on exit").doesNotExist();
    }

    static void failDeepInside() {
        throw new IllegalStateException("out of dumplings", new IOException("the cause"));
    }

    @ParameterizedTest
    @EnumSource(StartMethod.class)
    void aLambdaFromTheUsersOwnPackageRunsWithoutBeingAllowedByHand(StartMethod method) throws Exception {
        try (Process<String> p = Process.callable(org.example.tasks.OutsideTasks.greeting("world"))
                .startMethod(method).start()) {
            assertThat(p.result()).isEqualTo("hello, world");
        }
    }

    @Test
    void systemExitCodeIsTheExitCode() throws Exception {
        try (Process<Void> p = Process.target(() -> System.exit(7)).start()) {
            p.join();
            assertThat(p.exitCode()).hasValue(7);
            assertThatThrownBy(p::result).isInstanceOf(ProcessFailedException.class)
                    .hasMessageContaining("exit code 7 before its task finished");
        }
    }

    @Test
    void mainClassRunsWithItsArguments() throws Exception {
        Path out = dir.resolve("main.txt");
        try (Process<Void> p = Process.mainClass(WritesItsArguments.class.getName(), out.toString(), "a", "b").start()) {
            p.join();
            assertThat(p.exitCode()).hasValue(0);
        }
        assertThat(Files.readString(out)).isEqualTo("a b");
    }

    @Test
    void terminateIsGracefulAndGivesMinus15() throws Exception {
        String ready = dir.resolve("ready").toString();
        String hookRan = dir.resolve("hook").toString();
        try (Process<Void> p = Process.target(() -> {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> write(hookRan)));
            write(ready);
            sleepForever();
        }).start()) {
            Await.untilExists(Path.of(ready));
            p.terminate();
            p.join();
            assertThat(p.exitCode()).hasValue(-15);
            assertThat(Path.of(hookRan)).exists();
            assertThatThrownBy(p::result).hasMessageContaining("exit code -15");
        }
    }

    @Test
    void killGivesMinus9AndJoinTimesOutWhileTheChildRuns() throws Exception {
        try (Process<Void> p = Process.target(ProcessTest::sleepForever).start()) {
            assertThat(p.join(Duration.ofMillis(300))).isFalse();
            assertThat(p.isAlive()).isTrue();
            assertThat(p.exitCode()).isEmpty();
            p.kill();
            assertThat(p.join(Duration.ofSeconds(30))).isTrue();
            assertThat(p.exitCode()).hasValue(-9);
            assertThat(p.isAlive()).isFalse();
        }
    }

    @Test
    void aDaemonChildDiesWhenItsParentIsKilledAndANonDaemonOneLivesOn() throws Exception {
        String daemonPid = dir.resolve("daemon").toString();
        String orphanPid = dir.resolve("orphan").toString();
        try (Process<Void> parent = Process.target(() -> {
            try {
                Process.target(() -> writePidAndSleep(daemonPid)).daemon(true).start();
                Process.target(() -> writePidAndSleep(orphanPid)).start();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            sleepForever();
        }).start()) {
            ProcessHandle daemon = ProcessHandle.of(awaitPid(Path.of(daemonPid))).orElseThrow();
            ProcessHandle orphan = ProcessHandle.of(awaitPid(Path.of(orphanPid))).orElseThrow();
            try {
                assertThat(daemon.parent().map(ProcessHandle::pid)).hasValue(parent.pid());
                parent.kill();
                parent.join();
                daemon.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(daemon.isAlive()).isFalse();
                assertThat(orphan.isAlive()).isTrue();
            } finally {
                orphan.destroyForcibly();
                daemon.destroyForcibly();
                orphan.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    static void writePidAndSleep(String path) {
        try {
            Files.writeString(Path.of(path + ".tmp"), Long.toString(Process.current().pid()));
            Files.move(Path.of(path + ".tmp"), Path.of(path));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        sleepForever();
    }

    static long awaitPid(Path path) throws Exception {
        Await.untilExists(path);
        return Long.parseLong(Files.readString(path));
    }

    @Test
    void aResultOfAClassOffTheAllowListIsRefusedWithItsName() throws Exception {
        try (Process<Gadget> p = Process.callable(() -> new Gadget("boom")).start()) {
            assertThatThrownBy(p::result).isInstanceOf(ProcessFailedException.class)
                    .hasMessageContaining("could not be decoded")
                    .cause().isInstanceOf(ClassNotAllowedException.class)
                    .hasMessageContaining("org.example.gadgets.Gadget")
                    .hasMessageContaining("allow(Gadget.class)");
            assertThat(p.exitCode()).hasValue(0);
        }
        try (Process<Gadget> p = Process.callable(() -> new Gadget("fine")).allow(Gadget.class).start()) {
            assertThat(p.result().payload()).isEqualTo("fine");
        }
    }

    @Test
    void aResultOverTheSerializationLimitsFailsNamingTheLimitAndRaisingItLetsItThrough() throws Exception {
        SerializationLimits tight = SerializationLimits.DEFAULT.withMaxArrayLength(100);
        try (Process<int[]> p = Process.callable(() -> new int[1000]).serializationLimits(tight).start()) {
            assertThatThrownBy(p::result).isInstanceOf(ProcessFailedException.class)
                    .hasMessageContaining("could not be decoded")
                    .cause().isInstanceOf(SerializationLimitException.class)
                    .hasMessageContaining("array length reached 1000, over the limit of 100");
        }
        try (Process<int[]> p = Process.callable(() -> new int[1000])
                .serializationLimits(tight.withMaxArrayLength(1000)).start()) {
            assertThat(p.result()).hasSize(1000);
        }
    }

    @Test
    void aCaptureOverTheSerializationLimitsFailsInTheChildNamingTheLimit() throws Exception {
        int[] captured = new int[1000];
        try (Process<Integer> p = Process.callable(() -> captured.length)
                .serializationLimits(SerializationLimits.DEFAULT.withMaxArrayLength(100)).start()) {
            assertThatThrownBy(p::result).isInstanceOf(ProcessFailedException.class)
                    .cause().isInstanceOf(ChildException.class)
                    .satisfies(e -> assertThat(((ChildException) e).className())
                            .isEqualTo(SerializationLimitException.class.getName()))
                    .hasMessageContaining("array length reached 1000, over the limit of 100");
        }
    }

    /** An exception whose own methods fail, as a careless user's may. */
    static final class Unprintable extends RuntimeException {
        @Override
        public String getMessage() {
            throw new IllegalStateException("getMessage itself is broken");
        }
    }

    static void throwUnprintable() {
        throw new Unprintable();
    }

    @Test
    void anExceptionWhoseGetMessageThrowsStillReachesTheParent() throws Exception {
        try (Process<Void> p = Process.target(ProcessTest::throwUnprintable).start()) {
            p.join();
            assertThat(p.exitCode()).hasValue(1);
            ChildException thrown = p.exception().orElseThrow();
            assertThat(thrown.className()).isEqualTo(Unprintable.class.getName());
            assertThat(thrown.originalMessage()).contains("getMessage() threw java.lang.IllegalStateException");
            assertThat(Arrays.stream(thrown.getStackTrace()).map(StackTraceElement::getMethodName))
                    .contains("throwUnprintable");
        }
    }

    @Test
    void joinAndResultWithAZeroOrNegativeTimeoutDoNotWait() throws Exception {
        try (Process<Void> p = Process.target(ProcessTest::sleepForever).start()) {
            for (Duration none : List.of(Duration.ZERO, Duration.ofSeconds(-1), Duration.ofNanos(-1))) {
                assertThat(p.join(none)).isFalse();
                assertThatThrownBy(() -> p.result(none)).isInstanceOf(java.util.concurrent.TimeoutException.class)
                        .hasMessageContaining("still running");
            }
            p.kill();
            assertThat(p.join(Duration.ofSeconds(60))).isTrue();
            assertThat(p.join(Duration.ZERO)).as("ended: no wait needed").isTrue();
            assertThat(p.join(Duration.ofSeconds(-1))).isTrue();
        }
    }

    @Test
    void prepareWarmStandbyWithAZeroTimeoutStartsTheSetWithoutWaiting() throws Exception {
        // Zero or negative: start it and report, rather than wait forever as a negative timeout once did.
        Process.prepareWarmStandby(Duration.ofSeconds(-1));
        assertThat(Process.prepareWarmStandby(Duration.ofSeconds(60))).isTrue();
    }

    @Test
    void aStandbySetPreparedForABurstServesTheWholeBurstFromJvmsBootedBeforeIt() throws Exception {
        assertThat(Process.prepareWarmStandby(3, Duration.ofSeconds(120))).isTrue();
        java.time.Instant prepared = java.time.Instant.now();
        List<Process<java.time.Instant>> burst = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                burst.add(Process.callable(() -> ProcessHandle.current().info().startInstant().orElseThrow())
                        .startMethod(StartMethod.WARM).start());
            }
            for (Process<java.time.Instant> p : burst) {
                assertThat(p.result(Duration.ofSeconds(60))).as("when %s's JVM booted", p.name()).isBefore(prepared);
            }
        } finally {
            burst.forEach(Process::close);
        }
        assertThatThrownBy(() -> Process.prepareWarmStandby(-1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 to 64");
        assertThatThrownBy(() -> Process.prepareWarmStandby(1000, Duration.ZERO))
                .as("not 64 JVMs quietly").isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 to 64");
    }

    @Test
    void aTaskThatCannotBeSerializedFailsAtStartNamingWhatItCaptured() {
        Object notSerializable = new Object();
        Process<Integer> p = Process.callable(() -> notSerializable.hashCode());
        assertThatThrownBy(p::start).isInstanceOf(java.io.NotSerializableException.class)
                .hasMessageContaining("java.lang.Object")
                .hasMessageContaining("must be Serializable");
        assertThatThrownBy(p::join).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aProcessStartsOnceAndItsSettingsFreezeAtStart() throws Exception {
        try (Process<Void> p = Process.target(() -> { }).start()) {
            assertThatThrownBy(p::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("starts once");
            assertThatThrownBy(() -> p.name("late")).isInstanceOf(IllegalStateException.class);
            p.join();
            assertThat(p.name()).startsWith("Process-");
        }
    }

    static void sleepForever() {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void write(String path) {
        try {
            Files.writeString(Path.of(path), "x");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The class a child runs by name. */
    public static final class WritesItsArguments {
        public static void main(String[] args) throws IOException {
            Files.writeString(Path.of(args[0]), String.join(" ", Arrays.asList(args).subList(1, args.length)));
        }
    }
}
