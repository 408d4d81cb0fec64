package dev.spindle.process;

import dev.spindle.process.wire.Run;
import dev.spindle.process.wire.Hub;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.spindle.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What processes leave behind when they end, however they end: real JVMs, killed by PID. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ProcessExitTest {

    @TempDir
    Path dir;

    @Test
    void aRunDirectoryLeftByAKilledRunIsRemovedByTheNextRunWhileALiveRunsIsKept() throws Exception {
        Path root = Run.socketRoot();
        java.lang.Process killed = probe(RunProbe.class, "hold");
        java.lang.Process live = probe(RunProbe.class, "hold");
        try {
            Path killedDirectory = Path.of(firstLine(killed));
            Path liveDirectory = Path.of(firstLine(live));
            assertThat(killedDirectory.getParent()).isEqualTo(root);
            killed.destroyForcibly();
            assertThat(killed.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(killedDirectory).as("nothing removes it at a SIGKILL").isDirectory();

            java.lang.Process next = probe(RunProbe.class, "once");
            Path nextDirectory = Path.of(firstLine(next));
            assertThat(next.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(next.exitValue()).isZero();
            assertThat(killedDirectory).as("the next run removed the killed run's directory").doesNotExist();
            assertThat(liveDirectory).as("a live run's directory stays").isDirectory();
            assertThat(nextDirectory).as("a run that exits normally removes its own").doesNotExist();

            live.destroyForcibly();
            assertThat(live.waitFor(60, TimeUnit.SECONDS)).isTrue();
            Run.removeAbandonedRuns(root);
            assertThat(liveDirectory).doesNotExist();
            assertThat(Run.current().directory()).as("this JVM's own run is never touched").isDirectory();
        } finally {
            killed.destroyForcibly();
            live.destroyForcibly();
        }
    }

    @Test
    void aStandbyWhoseParentHasExitedEndsQuietly() throws Exception {
        for (int round = 0; round < 3; round++) {
            Path output = dir.resolve("standby-" + round + ".log");
            java.lang.Process parent = new ProcessBuilder(JavaCommand.with(
                    List.of("-Dspindle.process.standby=4"), StandbyThenExit.class.getName()))
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            assertThat(parent.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(parent.exitValue()).isZero();
            List<ProcessHandle> standbys = new ArrayList<>();
            for (String line : Files.readAllLines(output)) {
                if (line.startsWith("standby ")) {
                    ProcessHandle.of(Long.parseLong(line.substring("standby ".length()))).ifPresent(standbys::add);
                }
            }
            for (ProcessHandle standby : standbys) {
                try {
                    standby.onExit().get(60, TimeUnit.SECONDS);
                } finally {
                    standby.destroyForcibly();
                }
            }
            assertThat(Files.readString(output)).as("what the parent and its standbys printed")
                    .doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void theProcessThatOpenedAPipeStaysWhileItsChildrenStillUseItThoughNothingWaitsInIt() throws Exception {
        Path mainDone = dir.resolve("main-done");
        Path go = dir.resolve("go");
        Path received = dir.resolve("received");
        java.lang.Process holder = new ProcessBuilder(JavaCommand.of(TwoChildrenShareAPipe.class.getName(),
                mainDone.toString(), go.toString(), received.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("holder.log").toFile()).start();
        List<ProcessHandle> children = new ArrayList<>();
        try {
            Await.untilExists(mainDone);
            children.addAll(holder.children().toList());
            // The holder's main has returned and its pipe is empty; only now does the sender send.
            Files.writeString(go, "x");
            assertThat(holder.waitFor(90, TimeUnit.SECONDS)).as("the holder exits once its children are done").isTrue();
            assertThat(holder.exitValue()).as(Files.readString(dir.resolve("holder.log"))).isZero();
            Await.untilExists(received);
            assertThat(Files.readAllLines(received)).containsExactlyElementsOf(
                    java.util.stream.IntStream.range(0, 200).mapToObj(Integer::toString).toList());
        } finally {
            holder.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void theProcessThatOpenedAPipeDoesNotWaitForADaemonChildUsingIt() throws Exception {
        Path daemonPid = dir.resolve("daemon-pid");
        java.lang.Process holder = new ProcessBuilder(JavaCommand.of(DaemonUsesAPipe.class.getName(),
                daemonPid.toString())).redirectErrorStream(true).redirectOutput(dir.resolve("holder.log").toFile()).start();
        ProcessHandle daemon = null;
        try {
            Await.untilExists(daemonPid);
            daemon = ProcessHandle.of(Long.parseLong(Files.readString(daemonPid).trim())).orElseThrow();
            assertThat(holder.waitFor(60, TimeUnit.SECONDS)).as("the holder exits with a daemon still attached").isTrue();
            assertThat(holder.exitValue()).as(Files.readString(dir.resolve("holder.log"))).isZero();
            daemon.onExit().get(60, TimeUnit.SECONDS);
            assertThat(daemon.isAlive()).as("the daemon child died with its parent").isFalse();
        } finally {
            holder.destroyForcibly();
            if (daemon != null) {
                daemon.destroyForcibly();
            }
        }
    }

    /** Opens a pipe, starts a sender and a receiver child on it, and returns at once. */
    public static final class TwoChildrenShareAPipe {
        public static void main(String[] args) throws Exception {
            String mainDone = args[0];
            String go = args[1];
            String received = args[2];
            Pipe pipe = Pipe.open();
            PipeConnection right = pipe.right();
            PipeConnection left = pipe.left();
            Process.target(() -> {
                try {
                    Await.untilExists(Path.of(go));
                    for (int i = 0; i < 200; i++) {
                        right.send(i);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).start();
            Process.target(() -> {
                try {
                    List<String> lines = new ArrayList<>();
                    for (Object got : PipeDeliveryTest.receiveUntilEndOfFile(left)) {
                        lines.add(String.valueOf(got));
                    }
                    Files.write(Path.of(received + ".tmp"), lines);
                    Files.move(Path.of(received + ".tmp"), Path.of(received));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).start();
            Files.writeString(Path.of(mainDone), "x");
        }
    }

    /** Opens a pipe, starts a daemon child that attaches to it and then does nothing, and returns. */
    public static final class DaemonUsesAPipe {
        public static void main(String[] args) throws Exception {
            Pipe pipe = Pipe.open();
            PipeConnection right = pipe.right();
            Process<Void> daemon = Process.target(() -> {
                try {
                    right.send("attached");
                    right.poll(Duration.ofSeconds(1));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                ProcessTest.sleepForever();
            }).daemon(true).start();
            pipe.left().recv();
            Files.writeString(Path.of(args[0]), Long.toString(daemon.pid()));
        }
    }

    private static java.lang.Process probe(Class<?> main, String... args) throws Exception {
        return new ProcessBuilder(JavaCommand.of(main.getName(), args))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String firstLine(java.lang.Process p) throws Exception {
        var reader = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
        String line = reader.readLine();
        assertThat(line).as("the probe's first line").isNotNull();
        return line;
    }

    /** Joins a new root run, prints its directory, then holds it until killed ("hold") or exits ("once"). */
    public static final class RunProbe {
        public static void main(String[] args) throws Exception {
            System.out.println(Run.current().directory());
            System.out.flush();
            Hub.get(); // a socket in the directory, as a real run has
            if (args[0].equals("hold")) {
                Thread.sleep(Duration.ofMinutes(10));
            }
        }
    }

    /** Starts launching standby JVMs, names them, and exits at once: they find no parent to connect to. */
    public static final class StandbyThenExit {
        public static void main(String[] args) throws Exception {
            Process.prepareWarmStandby(Duration.ZERO);
            ProcessHandle.current().children().forEach(c -> System.out.println("standby " + c.pid()));
            System.out.flush();
        }
    }
}
