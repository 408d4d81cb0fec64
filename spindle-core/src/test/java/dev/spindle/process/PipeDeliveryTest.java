package dev.spindle.process;

import dev.spindle.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.example.gadgets.Gadget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a message sent into a {@link Pipe} survives: its sender exiting at once, being killed, a
 * receiver that comes late or dies holding messages, several processes on one end, and the exit of
 * the process that holds the pipe. Real child JVMs throughout.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PipeDeliveryTest {

    @TempDir
    Path dir;

    @AfterAll
    static void noChildJvmOutlivesTheTests() throws Exception {
        JavaCommand.noChildOutlivesTheTests();
    }

    @Test
    void theReadmeExampleReceivesTheChildsMessageAndResult() throws Exception {
        Pipe pipe = Pipe.open();
        var childEnd = pipe.right();
        try (Process<Long> child = Process.callable(() -> {
            childEnd.send("hello from " + Process.current().name());
            return 42L;
        }).name("worker").start()) {
            assertThat(pipe.left().recv(Duration.ofSeconds(60))).isEqualTo("hello from worker");
            assertThat(child.result()).isEqualTo(42L);
        }
    }

    @Test
    void aMessageOutlivesTheChildThatSentItAndAReceiverThatComesAfterItsExit() throws Exception {
        Pipe pipe = Pipe.open();
        var childEnd = pipe.right();
        try (Process<Long> child = Process.callable(() -> {
            childEnd.send("sent, then exited without closing");
            return 42L;
        }).start()) {
            child.join();
            assertThat(child.result()).isEqualTo(42L);
            assertThat(pipe.left().recv(Duration.ofSeconds(60))).isEqualTo("sent, then exited without closing");
            assertThatThrownBy(() -> pipe.left().recv(Duration.ofSeconds(60))).isInstanceOf(EOFException.class);
        }
    }

    @Test
    void everyMessageOfAChildThatHaltsAtOnceArrives() throws Exception {
        Pipe pipe = Pipe.open();
        var childEnd = pipe.right();
        try (Process<Void> child = Process.target(() -> {
            try {
                for (int i = 0; i < 1000; i++) {
                    childEnd.send(i);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().halt(0); // no close, no shutdown hooks, no flush of anything
        }).start()) {
            assertThat(receiveUntilEndOfFile(pipe.left())).containsExactlyElementsOf(range(1000));
            child.join();
            assertThat(child.exitCode()).hasValue(0);
        }
    }

    @Test
    void everyMessageSentBeforeTheSenderWasKilledArrives() throws Exception {
        Pipe pipe = Pipe.open();
        var childEnd = pipe.right();
        String sent = dir.resolve("sent").toString();
        try (Process<Void> child = Process.target(() -> {
            try {
                for (int i = 0; i < 100; i++) {
                    childEnd.send(i);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ProcessTest.write(sent);
            ProcessTest.sleepForever();
        }).start()) {
            Await.untilExists(Path.of(sent));
            child.kill();
            child.join();
            assertThat(child.exitCode()).hasValue(-9);
            assertThat(receiveUntilEndOfFile(pipe.left())).containsExactlyElementsOf(range(100));
        }
    }

    @Test
    void aReaderStartedAfterTheWriterEndedGetsEveryMessage() throws Exception {
        Pipe pipe = Pipe.open();
        PipeConnection left = pipe.left();
        PipeConnection right = pipe.right();
        try (Process<Void> writer = Process.target(() -> {
            try (right) {
                for (int i = 0; i < 100; i++) {
                    right.send(i);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).start()) {
            writer.join();
            assertThat(writer.exitCode()).hasValue(0);
        }
        assertThat(PipeTest.Where.IN_A_CHILD.run(() -> receiveUntilEndOfFile(left))).containsExactlyElementsOf(range(100));
    }

    @Test
    void twoChildrenSendingOnOneEndAreBothHeard() throws Exception {
        Pipe pipe = Pipe.open();
        PipeConnection shared = pipe.right();
        List<Process<Void>> senders = new ArrayList<>();
        try {
            for (String who : List.of("a", "b")) {
                senders.add(Process.target(() -> {
                    try {
                        for (int i = 0; i < 500; i++) {
                            shared.send(who + i);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }).start());
            }
            List<Object> heard = receiveUntilEndOfFile(pipe.left());
            for (String who : List.of("a", "b")) {
                assertThat(heard.stream().filter(m -> ((String) m).startsWith(who)))
                        .as("every message of " + who + ", in its order")
                        .containsExactlyElementsOf(IntStream.range(0, 500).mapToObj(i -> who + i).toList());
            }
            assertThat(heard).hasSize(1000);
        } finally {
            senders.forEach(Process::close);
        }
    }

    @Test
    void twoChildrenReceivingOnOneEndTakeEachMessageExactlyOnce() throws Exception {
        Pipe pipe = Pipe.open();
        PipeConnection shared = pipe.right();
        List<Process<List<Object>>> receivers = new ArrayList<>();
        try {
            for (int r = 0; r < 2; r++) {
                receivers.add(Process.callable(() -> receiveUntilEndOfFile(shared)).start());
            }
            try (PipeConnection left = pipe.left()) {
                for (int i = 0; i < 1000; i++) {
                    left.send(i);
                }
            }
            List<Object> all = new ArrayList<>();
            for (Process<List<Object>> receiver : receivers) {
                List<Object> got = receiver.result(Duration.ofSeconds(60));
                assertThat(got).as("each receiver sees the messages in order").isSortedAccordingTo(
                        (a, b) -> Integer.compare((Integer) a, (Integer) b));
                all.addAll(got);
            }
            assertThat(new TreeSet<>(all)).hasSize(1000);
            assertThat(all).hasSize(1000).containsExactlyInAnyOrderElementsOf(range(1000));
        } finally {
            receivers.forEach(Process::close);
        }
    }

    @Test
    void messagesLentToAReceiverThatIsKilledGoToAnotherExactlyOnce() throws Exception {
        Pipe pipe = Pipe.open();
        PipeConnection shared = pipe.right();
        try (PipeConnection left = pipe.left()) {
            for (int i = 0; i < 100; i++) {
                left.send(i);
            }
        }
        String tookFirst = dir.resolve("took-first").toString();
        List<Object> first = new ArrayList<>();
        try (Process<Void> killed = Process.target(() -> {
            try {
                // The holder lends this receiver every waiting message; it takes exactly one.
                Object one = shared.recv();
                Files.writeString(Path.of(tookFirst + ".tmp"), String.valueOf(one));
                Files.move(Path.of(tookFirst + ".tmp"), Path.of(tookFirst));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ProcessTest.sleepForever();
        }).start()) {
            Await.untilExists(Path.of(tookFirst));
            first.add(Integer.valueOf(Files.readString(Path.of(tookFirst))));
            killed.kill();
            killed.join();
        }
        List<Object> rest = PipeTest.Where.IN_A_CHILD.run(() -> receiveUntilEndOfFile(shared));
        List<Object> all = new ArrayList<>(first);
        all.addAll(rest);
        assertThat(all).as("what the killed receiver took, then what the next one got").containsExactlyElementsOf(range(100));
    }

    @Test
    void aReceiverBusyWithOneMessageDoesNotHoldBackTheRestFromAnotherStartedWithIt() throws Exception {
        Pipe pipe = Pipe.open();
        PipeConnection shared = pipe.right();
        String took = dir.resolve("took").toString();
        try (PipeConnection left = pipe.left();
             // Both are handed the end at their start, before either receives.
             Process<Void> busy = Process.target(() -> {
                 try {
                     Files.writeString(Path.of(took), String.valueOf(shared.recv()));
                 } catch (IOException e) {
                     throw new UncheckedIOException(e);
                 }
                 ProcessTest.sleepForever();
             }).start();
             Process<List<Object>> other = Process.callable(() -> {
                 Await.untilExists(Path.of(took));
                 List<Object> got = new ArrayList<>();
                 for (int i = 0; i < 9; i++) {
                     got.add(shared.recv(Duration.ofSeconds(60)));
                 }
                 return got;
             }).start()) {
            for (int i = 0; i < 10; i++) {
                left.send(i);
            }
            List<Object> rest = other.result(Duration.ofSeconds(90));
            Object first = Integer.valueOf(Files.readString(Path.of(took)));
            List<Object> all = new ArrayList<>(rest);
            all.add(first);
            assertThat(all).containsExactlyInAnyOrderElementsOf(range(10));
        }
    }

    @Test
    void aSendInterruptedWhileThePipeIsFullStillArrivesWholeAndTheEndGoesOn() throws Exception {
        Pipe pipe = Pipe.open();
        PipeConnection childEnd = pipe.right();
        String blocked = dir.resolve("blocked").toString();
        int count = 200;
        try (PipeConnection parentEnd = pipe.left();
             Process<String> child = Process.callable(() -> {
                 java.util.concurrent.atomic.AtomicReference<String> outcome = new java.util.concurrent.atomic.AtomicReference<>();
                 Thread sender = Thread.ofPlatform().name("test-sender").start(() -> {
                     boolean sawInterrupt = false;
                     try {
                         for (int i = 0; i < count; i++) {
                             byte[] message = new byte[64 * 1024];
                             java.nio.ByteBuffer.wrap(message).putInt(i);
                             try {
                                 childEnd.sendBytes(message);
                             } catch (java.io.InterruptedIOException notBegun) {
                                 // The interrupt came between two sends (the wait above saw the sender waiting,
                                 // and then room came): that send had not begun and sent nothing. Send it again.
                                 sawInterrupt = true;
                                 i--;
                                 continue;
                             }
                             sawInterrupt |= Thread.interrupted();
                         }
                         outcome.set("sent " + count + ", interrupt seen " + sawInterrupt);
                     } catch (IOException e) {
                         outcome.set("failed: " + e);
                     }
                 });
                 Await.until("the sender waits for room", () -> Arrays.stream(sender.getStackTrace())
                         .anyMatch(f -> f.getMethodName().equals("awaitWritable")));
                 sender.interrupt();
                 ProcessTest.write(blocked);
                 sender.join();
                 return outcome.get();
             }).start()) {
            Await.untilExists(Path.of(blocked));
            for (int i = 0; i < count; i++) {
                byte[] message = parentEnd.recvBytes();
                assertThat(message).hasSize(64 * 1024);
                assertThat(java.nio.ByteBuffer.wrap(message).getInt()).isEqualTo(i);
            }
            assertThat(child.result(Duration.ofSeconds(60))).isEqualTo("sent 200, interrupt seen true");
        }
    }

    @Test
    void theFirstSendInAChildAfterTheOtherEndIsGoneFails() throws Exception {
        Pipe pipe = Pipe.open();
        PipeConnection childEnd = pipe.left();
        String closed = dir.resolve("closed").toString();
        try (PipeConnection parentEnd = pipe.right();
             Process<String> child = Process.callable(() -> {
                 childEnd.send("hello");
                 Await.untilExists(Path.of(closed));
                 try {
                     childEnd.send("anyone?");
                     return "sent";
                 } catch (IOException e) {
                     return e.getMessage();
                 }
             }).start()) {
            assertThat(parentEnd.recv(Duration.ofSeconds(60))).isEqualTo("hello");
            parentEnd.close();
            ProcessTest.write(closed);
            assertThat(child.result(Duration.ofSeconds(60))).contains("closed by every process that used it");
        }
    }

    @Test
    void aPipeIsForgottenOnceNobodyCanUseEitherEnd() throws Exception {
        Pipe closedUnused = Pipe.open();
        long first = closedUnused.left().pipeId();
        closedUnused.left().close();
        closedUnused.right().close();
        assertThat(PipeRelay.find(first)).as("both ends closed unused").isNull();

        Pipe used = Pipe.open();
        long second = used.left().pipeId();
        used.left().send("to nobody yet");
        used.right().close(); // closed unused: nobody can ever receive what the left end sends
        assertThatThrownBy(() -> used.left().send("more")).isInstanceOf(IOException.class)
                .hasMessageContaining("closed by every process");
        used.left().close();
        assertThat(PipeRelay.find(second)).as("one end used and closed, the other closed unused").isNull();
    }

    @Test
    void anEndDroppedUnclosedIsLetGoWhenCollected() throws Exception {
        PipeConnection left = Pipe.open().left(); // the right end is dropped at once, never used
        Await.until("the dropped end is collected and end-of-file reaches the other", () -> {
            System.gc();
            return left.poll(Duration.ofMillis(10));
        });
        assertThatThrownBy(left::recv).isInstanceOf(EOFException.class);
        left.close();
    }

    @ParameterizedTest
    @EnumSource(Direction.class)
    void oneHundredThousandMessagesArriveInOrder(Direction direction) throws Exception {
        int count = 100_000;
        Pipe pipe = Pipe.open();
        PipeConnection childEnd = pipe.right();
        try (PipeConnection parentEnd = pipe.left();
             Process<Integer> child = Process.callable(() -> direction == Direction.CHILD_TO_PARENT
                     ? sendNumbers(childEnd, count) : checkNumbers(childEnd, count)).start()) {
            int checked = direction == Direction.CHILD_TO_PARENT ? checkNumbers(parentEnd, count)
                    : sendNumbers(parentEnd, count);
            assertThat(checked).isEqualTo(count);
            assertThat(child.result(Duration.ofSeconds(90))).isEqualTo(count);
        }
    }

    enum Direction { CHILD_TO_PARENT, PARENT_TO_CHILD }

    @Test
    void aReceiveInterruptedInAChildLosesNoMessage() throws Exception {
        Pipe pipe = Pipe.open();
        PipeConnection childEnd = pipe.right();
        String interrupted = dir.resolve("interrupted").toString();
        try (PipeConnection parentEnd = pipe.left();
             Process<String> child = Process.callable(() -> {
                 childEnd.send("attach");
                 // Made now, so that the receive below is interrupted waiting for its answer, not its link.
                 assertThat(childEnd.poll(Duration.ZERO)).isFalse();
                 Thread receiver = Thread.currentThread();
                 Thread interrupter = Thread.ofPlatform().name("test-interrupter").start(() -> {
                     try {
                         Await.until("the receiver waits for the holder's answer", () -> awaitingAnswer(receiver));
                     } catch (Exception e) {
                         return;
                     }
                     receiver.interrupt();
                 });
                 try {
                     childEnd.recv();
                     return "not interrupted";
                 } catch (InterruptedIOException expected) {
                     Thread.interrupted();
                 }
                 interrupter.join();
                 ProcessTest.write(interrupted);
                 // The answer to the interrupted receive is still owed; this receive must collect it.
                 return (String) childEnd.recv(Duration.ofSeconds(60));
             }).start()) {
            assertThat(parentEnd.recv(Duration.ofSeconds(60))).isEqualTo("attach");
            Await.untilExists(Path.of(interrupted));
            parentEnd.send("the only message");
            assertThat(child.result(Duration.ofSeconds(60))).isEqualTo("the only message");
        }
    }

    @Test
    void theProcessThatOpenedAPipeStaysUntilItsMessagesAreReceived() throws Exception {
        Path received = dir.resolve("received.txt");
        Path mainDone = dir.resolve("main-done");
        java.lang.Process holder = new ProcessBuilder(JavaCommand.of(PipeHolderProgram.class.getName(),
                received.toString(), mainDone.toString(), "200"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("holder.log").toFile()).start();
        try {
            assertThat(holder.waitFor(90, TimeUnit.SECONDS)).as("the holder exits once delivered").isTrue();
            assertThat(holder.exitValue()).as(Files.readString(dir.resolve("holder.log"))).isZero();
            Await.untilExists(received);
            assertThat(Files.readAllLines(received)).containsExactlyElementsOf(
                    IntStream.range(0, 200).mapToObj(Integer::toString).toList());
        } finally {
            holder.destroyForcibly();
            holder.waitFor(30, TimeUnit.SECONDS);
            // Its child outlives it by design; a stuck one is killed here by the pid it reported.
            for (String line : Files.readAllLines(dir.resolve("holder.log"))) {
                if (line.startsWith("child ")) {
                    ProcessHandle.of(Long.parseLong(line.substring(6).trim())).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
    }

    /**
     * Opens a pipe, starts a child that waits until this program's main has returned before it
     * first uses its end, sends to it, and returns: the JVM's exit must wait for the child to read.
     */
    public static final class PipeHolderProgram {
        public static void main(String[] args) throws Exception {
            String out = args[0];
            String mainDone = args[1];
            int count = Integer.parseInt(args[2]);
            Pipe pipe = Pipe.open();
            PipeConnection childEnd = pipe.right();
            Process<Void> child = Process.target(() -> {
                try {
                    Await.untilExists(Path.of(mainDone));
                    List<String> lines = new ArrayList<>();
                    for (int i = 0; i < count; i++) {
                        lines.add(String.valueOf(childEnd.recv()));
                    }
                    Files.write(Path.of(out + ".tmp"), lines);
                    Files.move(Path.of(out + ".tmp"), Path.of(out));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).start();
            System.out.println("child " + child.pid());
            for (int i = 0; i < count; i++) {
                pipe.left().send(i);
            }
            Files.writeString(Path.of(mainDone), "x");
        }
    }

    static int sendNumbers(PipeConnection end, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            end.send(i);
        }
        end.close();
        return count;
    }

    static int checkNumbers(PipeConnection end, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            Object got = end.recv();
            if (!Integer.valueOf(i).equals(got)) {
                throw new AssertionError("message " + i + " was " + got);
            }
        }
        assertThatThrownBy(end::recv).isInstanceOf(EOFException.class);
        return count;
    }

    static List<Object> receiveUntilEndOfFile(PipeConnection end) throws IOException {
        List<Object> got = new ArrayList<>();
        while (true) {
            try {
                got.add(end.recv(Duration.ofSeconds(60)));
            } catch (EOFException end_) {
                return got;
            }
        }
    }

    static List<Object> range(int n) {
        return IntStream.range(0, n).boxed().map(Object.class::cast).toList();
    }

    /** Whether {@code thread} waits, in a child, for the holder's answer to a receive it asked for. */
    static boolean awaitingAnswer(Thread thread) {
        return Arrays.stream(thread.getStackTrace()).anyMatch(f -> f.getMethodName().equals("await")
                && f.getClassName().equals(RemotePipeEnd.class.getName()));
    }
}
