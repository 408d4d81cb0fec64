package dev.spindle.process;

import dev.spindle.process.wire.MessageChannel;
import dev.spindle.process.wire.Hub;
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
        JavaCommand.noChildOutlivesTheTests();
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
                    assertThatThrownBy(() -> right.recvBytes(none)).isInstanceOf(SocketTimeoutException.class);
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
        // The serializer would accept a Gadget, so only authentication stands between an intruder's bytes and readResolve.
        Pipe pipe = Pipe.open(true, JavaSerializer.defaults().allow(Gadget.class));
        try (PipeConnection left = pipe.left(); PipeConnection right = pipe.right()) {
            JavaSerializer.defaults().encode(right); // passing an end on starts the hub
            Path hub = Hub.get().address();
            int before = Gadget.resolved;
            try (SocketChannel idle = SocketChannel.open(UnixDomainSocketAddress.of(hub));
                 SocketChannel garbage = SocketChannel.open(UnixDomainSocketAddress.of(hub));
                 SocketChannel intruder = SocketChannel.open(UnixDomainSocketAddress.of(hub))) {
                garbage.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 5, 2, 9, 9, 9, 9}));
                var in = Channels.newInputStream(intruder);
                var out = Channels.newOutputStream(intruder);
                assertThatThrownBy(() -> Handshake.authenticate(in, out, Handshake.newKey(), false))
                        .isInstanceOf(AuthenticationException.class);
                byte[] planted = JavaSerializer.defaults().encode(new Gadget("planted"));
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
            JavaSerializer serializer = JavaSerializer.defaults();
            PipeConnection copy = (PipeConnection) serializer.decode(serializer.encode(left));
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

    static boolean waitingIn(Thread thread) {
        return Arrays.stream(thread.getStackTrace()).anyMatch(f -> f.getMethodName().equals("takeSome")
                && f.getClassName().equals(PipeRelay.class.getName())
                || f.getMethodName().equals("receiveTagged") && f.getClassName().equals(MessageChannel.class.getName()));
    }
}
