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

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PipeTest {

    /** Where the end under test is used: in the process that opened the pipe, or in a child. */
    enum Where {
        HERE, IN_A_CHILD;

        <T> T run(SerializableCallable<T> task) throws Exception {
            if (this == HERE) {
                return task.call();
            }
            try (Process<T> child = Process.callable(task).start()) {
                return child.result(Duration.ofSeconds(60));
            }
        }
    }

    @TempDir
    Path dir;

    @AfterAll
    static void noChildJvmOutlivesTheTests() throws Exception {
        for (ProcessHandle child : ProcessHandle.current().children().toList()) {
            child.onExit().get(30, TimeUnit.SECONDS);
        }
        assertThat(ProcessHandle.current().children().toList()).isEmpty();
    }

    @Test
    void objectsAndBytesCrossInBothDirectionsInOrder() throws Exception {
        Pipe pipe = Pipe.open();
        try (PipeConnection left = pipe.left(); PipeConnection right = pipe.right()) {
            left.send(List.of(1, "two", 3.0));
            left.sendBytes(new byte[] {1, 2, 3, 4, 5}, 1, 3);
            left.send(null);
            assertThat(right.recv()).isEqualTo(List.of(1, "two", 3.0));
            assertThat(right.recvBytes()).containsExactly(2, 3, 4);
            assertThat(right.recv()).isNull();
            right.sendBytes(new byte[70_000]);
            right.send("back");
            assertThat(left.recvBytes()).hasSize(70_000);
            assertThat(left.recv(Duration.ofSeconds(30))).isEqualTo("back");
        }
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void aMessageTooLongForTheCallStaysUnread(Where where) throws Exception {
        Pipe pipe = Pipe.open();
        try (PipeConnection left = pipe.left(); PipeConnection right = pipe.right()) {
            right.sendBytes("0123456789".getBytes());
            String received = where.run(() -> {
                assertThatThrownBy(() -> left.recvBytes(4)).isInstanceOf(MessageTooLongException.class)
                        .hasMessageContaining("10 bytes").hasMessageContaining("stays unread");
                byte[] small = new byte[12];
                assertThatThrownBy(() -> left.recvBytesInto(small, 4)).isInstanceOf(MessageTooLongException.class)
                        .extracting(e -> ((MessageTooLongException) e).length()).isEqualTo(10);
                assertThat(left.recvBytesInto(small, 2)).isEqualTo(10);
                return new String(small, 2, 10);
            });
            assertThat(received).isEqualTo("0123456789");
        }
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void recvAfterThePeerClosedThrowsEofOnceTheMessagesAreTaken(Where where) throws Exception {
        Pipe pipe = Pipe.open();
        try (PipeConnection left = pipe.left(); PipeConnection right = pipe.right()) {
            right.send("last words");
            right.close();
            String last = where.run(() -> {
                assertThat(left.poll(Duration.ofSeconds(30))).isTrue();
                String got = (String) left.recv();
                assertThat(left.poll()).as("end-of-file is ready").isTrue();
                assertThatThrownBy(left::recv).isInstanceOf(EOFException.class)
                        .hasMessageContaining("other end of the pipe was closed");
                assertThatThrownBy(() -> left.send("anyone?")).isInstanceOf(IOException.class)
                        .hasMessageContaining("closed by every process");
                return got;
            });
            assertThat(last).isEqualTo("last words");
            assertThatThrownBy(right::recv).isInstanceOf(IOException.class).hasMessageContaining("closed");
        }
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void zeroAndNegativeTimeoutsDoNotWait(Where where) throws Exception {
        Pipe pipe = Pipe.open();
        try (PipeConnection left = pipe.left(); PipeConnection right = pipe.right()) {
            left.send("first");
            String got = where.run(() -> {
                assertThat(right.recv()).isEqualTo("first");
                // Sent only now, so that it waits with the holder, not among messages taken ahead with "first".
                left.send("already here");
                assertThat(right.poll(Duration.ofSeconds(60))).isTrue();
                // A message already there is taken without waiting, whatever the timeout says.
                String taken = (String) right.recv(Duration.ofSeconds(-1));
                for (Duration none : List.of(Duration.ZERO, Duration.ofSeconds(-5), Duration.ofNanos(-1))) {
                    assertThat(right.poll(none)).isFalse();
                    assertThatThrownBy(() -> right.recv(none)).isInstanceOf(SocketTimeoutException.class);
                    assertThatThrownBy(() -> right.recvBytes(100, none)).isInstanceOf(SocketTimeoutException.class);
                    assertThatThrownBy(() -> right.recvBytesInto(new byte[100], 0, none))
                            .isInstanceOf(SocketTimeoutException.class);
                }
                return taken;
            });
            assertThat(got).isEqualTo("already here");
        }
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void aTimedReceiveHonoursItsTimeoutWhileAnotherThreadWaitsInRecv(Where where) throws Exception {
        Pipe pipe = Pipe.open();
        try (PipeConnection left = pipe.left(); PipeConnection right = pipe.right()) {
            String got = where.run(() -> {
                BackgroundReceive untimed = BackgroundReceive.start(right);
                Await.until("the other thread waits in recv", untimed::waiting);
                assertThatThrownBy(() -> right.recv(Duration.ofMillis(50))).isInstanceOf(SocketTimeoutException.class)
                        .hasMessageContaining("another thread");
                assertThat(right.poll(Duration.ofMillis(50))).isFalse();
                assertThat(right.poll(Duration.ofSeconds(-1))).isFalse();
                assertThatThrownBy(() -> right.recv(Duration.ZERO)).isInstanceOf(SocketTimeoutException.class);
                left.send("release");
                return (String) untimed.outcome();
            });
            assertThat(got).isEqualTo("release");
        }
    }

    @Test
    void pollWaitsAtMostItsTimeoutAndConsumesNothing() throws Exception {
        Pipe pipe = Pipe.open();
        try (PipeConnection left = pipe.left(); PipeConnection right = pipe.right()) {
            assertThat(right.poll(Duration.ofMillis(50))).isFalse();
            assertThatThrownBy(() -> right.recv(Duration.ofMillis(50))).isInstanceOf(SocketTimeoutException.class);
            left.send("now");
            assertThat(right.poll(Duration.ofSeconds(30))).isTrue();
            assertThat(right.poll(Duration.ofSeconds(30))).isTrue();
            assertThat(right.recv()).isEqualTo("now");
            assertThat(right.poll(Duration.ofMillis(10))).isFalse();
        }
    }

    @Test
    void aOneWayPipeReceivesOnTheLeftAndSendsOnTheRight() throws Exception {
        Pipe pipe = Pipe.open(false);
        try (PipeConnection in = pipe.left(); PipeConnection out = pipe.right()) {
            assertThat(in.readable()).isTrue();
            assertThat(in.writable()).isFalse();
            assertThatThrownBy(() -> in.send("x")).hasMessageContaining("receive-only");
            assertThatThrownBy(out::recv).hasMessageContaining("send-only");
            out.send("one way");
            assertThat(in.recv()).isEqualTo("one way");
        }
    }

    @ParameterizedTest
    @EnumSource(Where.class)
    void closeWakesAReceiverWaitingInAnotherThread(Where where) throws Exception {
        Pipe pipe = Pipe.open();
        try (PipeConnection left = pipe.left(); PipeConnection right = pipe.right()) {
            right.send("connect");
            Object outcome = where.run(() -> {
                assertThat(left.recv()).isEqualTo("connect");
                BackgroundReceive waiting = BackgroundReceive.start(left);
                Await.until("the receiver waits", waiting::waiting);
                left.close();
                return waiting.outcome();
            });
            assertThat(outcome).isEqualTo("IOException: this pipe end is closed");
        }
    }

    /** A receive on a thread of its own, whose outcome (a message, or its exception as text) can be awaited. */
    static final class BackgroundReceive {
        private final Thread thread;
        private final CompletableFuture<Object> outcome = new CompletableFuture<>();

        private BackgroundReceive(PipeConnection end) {
            thread = Thread.ofPlatform().name("test-background-receive").start(() -> {
                try {
                    outcome.complete(end.recv());
                } catch (IOException e) {
                    outcome.complete(e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            });
        }

        static BackgroundReceive start(PipeConnection end) {
            return new BackgroundReceive(end);
        }

        /** Whether the thread is inside the receive, waiting for a message. */
        boolean waiting() {
            return outcome.isDone() || waitingIn(thread);
        }

        Object outcome() throws Exception {
            return outcome.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aClassOffTheAllowListIsRefusedByNameAndThePipeGoesOn() throws Exception {
        Pipe pipe = Pipe.open();
        try (PipeConnection left = pipe.left(); PipeConnection right = pipe.right()) {
            int before = Gadget.resolved;
            left.send(new Gadget("unwanted"));
            left.send("after");
            assertThatThrownBy(right::recv).isInstanceOf(ClassNotAllowedException.class)
                    .hasMessageContaining("org.example.gadgets.Gadget")
                    .hasMessageContaining("allow(Gadget.class)");
            assertThat(Gadget.resolved).isEqualTo(before);
            assertThat(right.recv()).isEqualTo("after");
        }
    }

    @Test
    void wrongKeysIdleAndGarbageConnectionsToTheHubNeitherLoseNorDecodeAnything() throws Exception {
        // The codec would accept a Gadget, so only authentication stands between an intruder's bytes and readResolve.
        Pipe pipe = Pipe.open(true, JavaSerializationCodec.defaults().allow(Gadget.class));
        try (PipeConnection left = pipe.left(); PipeConnection right = pipe.right()) {
            JavaSerializationCodec.defaults().encode(right); // passing an end on starts the hub
            Path hub = ProcessHub.get().address();
            int before = Gadget.resolved;
            try (SocketChannel idle = SocketChannel.open(UnixDomainSocketAddress.of(hub));
                 SocketChannel garbage = SocketChannel.open(UnixDomainSocketAddress.of(hub));
                 SocketChannel intruder = SocketChannel.open(UnixDomainSocketAddress.of(hub))) {
                garbage.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 5, 2, 9, 9, 9, 9}));
                var in = Channels.newInputStream(intruder);
                var out = Channels.newOutputStream(intruder);
                assertThatThrownBy(() -> Handshake.authenticate(in, out, Handshake.newKey(), false))
                        .isInstanceOf(AuthenticationException.class);
                byte[] planted = JavaSerializationCodec.defaults().encode(new Gadget("planted"));
                ByteBuffer message = ByteBuffer.allocate(4 + planted.length).putInt(planted.length).put(planted).flip();
                try {
                    intruder.write(message);
                } catch (IOException refusedAlready) {
                    // The hub may have closed it first; either way nothing of it was read.
                }
                // With all three still connected, a child that holds the key uses the end.
                try (Process<Void> child = Process.target(() -> {
                    try {
                        right.send("hello");
                        right.send(new Gadget("welcome"));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }).start()) {
                    assertThat(left.recv(Duration.ofSeconds(60))).isEqualTo("hello");
                    assertThat(((Gadget) left.recv(Duration.ofSeconds(60))).payload()).isEqualTo("welcome");
                    child.join();
                }
                assertThat(Gadget.resolved).as("only the welcome gadget was resolved").isEqualTo(before + 1);
                assertThatThrownBy(left::recv).isInstanceOf(EOFException.class);
            }
        }
    }

    @Test
    void theSeedsConsumerChildReadsUntilEndOfFile() throws Exception {
        Pipe pipe = Pipe.open();
        PipeConnection left = pipe.left();
        PipeConnection right = pipe.right();
        try (Process<List<String>> consumer = Process.callable(() -> {
            left.close();
            List<String> eaten = new ArrayList<>();
            try {
                while (true) {
                    eaten.add((String) right.recv());
                }
            } catch (EOFException end) {
                right.close();
            }
            return eaten;
        }).start()) {
            right.close();
            for (int i = 0; i < 10; i++) {
                left.send("baozi " + i);
            }
            left.close();
            assertThat(consumer.result()).containsExactlyElementsOf(
                    IntStream.range(0, 10).mapToObj(i -> "baozi " + i).toList());
        }
    }

    @Test
    void twoChildrenTalkOverAPipeTheParentNeverTouches() throws Exception {
        Pipe pipe = Pipe.open();
        PipeConnection left = pipe.left();
        PipeConnection right = pipe.right();
        try (Process<Void> producer = Process.target(() -> {
            try (left) {
                for (int i = 1; i <= 1000; i++) {
                    left.send(i);
                }
                left.sendBytes(new byte[100_000]);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).start();
             Process<Long> consumer = Process.callable(() -> {
                 long sum = 0;
                 for (int i = 1; i <= 1000; i++) {
                     int got = (Integer) right.recv();
                     if (got != i) {
                         return (long) -got;
                     }
                     sum += got;
                 }
                 sum += right.recvBytes().length;
                 try {
                     right.recv();
                     return -1L;
                 } catch (EOFException end) {
                     return sum;
                 }
             }).start()) {
            assertThat(consumer.result()).isEqualTo(500_500L + 100_000L);
            producer.join();
            assertThat(producer.exitCode()).hasValue(0);
        }
    }

    @Test
    void anEndPassedOnAfterUseGoesOnWorkingWhereverItGoes() throws Exception {
        Pipe pipe = Pipe.open();
        try (PipeConnection left = pipe.left(); PipeConnection right = pipe.right()) {
            left.send("used here");
            assertThat(right.recv()).isEqualTo("used here");
            JavaSerializationCodec codec = JavaSerializationCodec.defaults();
            PipeConnection copy = (PipeConnection) codec.decode(codec.encode(left));
            copy.send("from a copy");
            assertThat(right.recv()).isEqualTo("from a copy");
            copy.close();
            left.send("the original is still open");
            assertThat(right.recv()).isEqualTo("the original is still open");
            assertThat(Where.IN_A_CHILD.run(() -> {
                left.send("from a child");
                return "sent";
            })).isEqualTo("sent");
            assertThat(right.recv(Duration.ofSeconds(60))).isEqualTo("from a child");
        }
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
        assertThat(Where.IN_A_CHILD.run(() -> receiveUntilEndOfFile(left))).containsExactlyElementsOf(range(100));
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
        List<Object> rest = Where.IN_A_CHILD.run(() -> receiveUntilEndOfFile(shared));
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
                             childEnd.sendBytes(message);
                             sawInterrupt |= Thread.interrupted();
                         }
                         outcome.set("sent " + count + ", interrupt kept " + sawInterrupt);
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
            assertThat(child.result(Duration.ofSeconds(60))).isEqualTo("sent 200, interrupt kept true");
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
        java.lang.Process holder = new ProcessBuilder(javaCommand(PipeHolderProgram.class.getName(),
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

    static List<String> javaCommand(String mainClass, String... args) {
        return javaCommandWith(List.of(), mainClass, args);
    }

    /** The command that runs {@code mainClass} in a new JVM on this JVM's class path, with {@code options}. */
    static List<String> javaCommandWith(List<String> options, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(Arrays.asList(args));
        return command;
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

    private static List<Object> range(int n) {
        return IntStream.range(0, n).boxed().map(Object.class::cast).toList();
    }

    /** Whether {@code thread} waits, in a child, for the holder's answer to a receive it asked for. */
    static boolean awaitingAnswer(Thread thread) {
        return Arrays.stream(thread.getStackTrace()).anyMatch(f -> f.getMethodName().equals("await")
                && f.getClassName().equals(RemotePipeEnd.class.getName()));
    }

    static boolean waitingIn(Thread thread) {
        return Arrays.stream(thread.getStackTrace()).anyMatch(f -> f.getMethodName().equals("takeSome")
                && f.getClassName().equals(PipeRelay.class.getName())
                || f.getMethodName().equals("receiveTagged") && f.getClassName().equals(MessageChannel.class.getName()));
    }
}
