package dev.spindle.process;

import dev.spindle.testing.Await;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A send's timeout bounds its wait for room to begin its message: a timed-out send sends nothing,
 * a message once begun arrives whole, and zero or negative does not wait. The pipe is left full by
 * a receiver that does not read, in the process that opened it and from a child, where the sender
 * meets a full link.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PipeSendTimeoutTest {

    private static final List<Duration> NO_WAIT = List.of(Duration.ZERO, Duration.ofNanos(-1), Duration.ofDays(-365));
    /** Small enough that the kernel takes each whole or not at all, so a full link is met between messages. */
    private static final int SMALL = 1000;
    /** Large enough that a full link takes only part of one. */
    private static final int LARGE = 100_003;

    @TempDir
    Path dir;

    @AfterAll
    static void noChildJvmOutlivesTheTests() throws Exception {
        JavaCommand.noChildOutlivesTheTests();
    }

    /** A message of {@code size} bytes that says its number and is otherwise made from it, so a torn one shows. */
    static byte[] numbered(int number, int size) {
        byte[] message = new byte[size];
        ByteBuffer.wrap(message).putInt(number);
        for (int i = 4; i < size; i++) {
            message[i] = (byte) (number * 31 + i);
        }
        return message;
    }

    /** Fails with where a received message first differs from message {@code number}, not with both arrays. */
    static void assertWhole(byte[] got, int number, int size) {
        assertThat(Arrays.mismatch(got, numbered(number, size)))
                .as("message %d (%d bytes): the first byte that differs", number, got.length).isEqualTo(-1);
    }

    /** Sends numbered messages with a short timeout until one times out; returns how many went. */
    static int fill(PipeConnection end) throws IOException {
        end.sendBytes(numbered(0, LARGE), Duration.ZERO); // room: a send that may not wait goes at once
        int sent = 1;
        while (true) {
            try {
                end.sendBytes(numbered(sent, LARGE), Duration.ofMillis(50));
            } catch (SocketTimeoutException e) {
                return sent;
            }
            sent++;
            assertThat(sent).as("a bounded queue fills").isLessThan(10_000);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aTimedSendOnAFullPipeInItsOwnProcessSendsNothingAndThePipeGoesOn() throws Exception {
        Pipe pipe = Pipe.open();
        try (PipeConnection left = pipe.left(); PipeConnection right = pipe.right()) {
            int sent = fill(right);
            byte[] next = numbered(sent, LARGE);
            for (Duration none : NO_WAIT) {
                assertThatThrownBy(() -> right.sendBytes(next, none)).as("send with " + none)
                        .isInstanceOf(SocketTimeoutException.class).hasMessageContaining("not sent");
                assertThatThrownBy(() -> right.sendBytes(next, 0, next.length, none))
                        .isInstanceOf(SocketTimeoutException.class);
                assertThatThrownBy(() -> right.send(next, none)).as("the array as an object")
                        .isInstanceOf(SocketTimeoutException.class);
            }
            for (int i = 0; i < sent; i++) {
                assertWhole(left.recvBytes(Duration.ofSeconds(30)), i, LARGE);
            }
            assertThat(left.poll(Duration.ZERO)).as("a timed-out send left something").isFalse();
            right.send("after the timeouts", Duration.ofSeconds(30));
            assertThat(left.recv(Duration.ofSeconds(30))).isEqualTo("after the timeouts");
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aSendThatMayNotWaitDoesNotWaitForAnotherThreadsSendOnTheSameEnd() throws Exception {
        Pipe pipe = Pipe.open();
        try (PipeConnection left = pipe.left(); PipeConnection right = pipe.right()) {
            int sent = fill(right);
            AtomicReference<String> outcome = new AtomicReference<>("waiting");
            Thread untimed = Thread.ofPlatform().name("test-untimed-sender").start(() -> {
                try {
                    right.sendBytes(numbered(sent, LARGE));
                    outcome.set("sent");
                } catch (IOException e) {
                    outcome.set(e.toString());
                }
            });
            Await.until("the other thread waits in its send", () -> untimed.getState() == Thread.State.WAITING
                    || untimed.getState() == Thread.State.TIMED_WAITING);
            for (Duration none : NO_WAIT) {
                assertThatThrownBy(() -> right.sendBytes(new byte[1], none)).as("send with " + none)
                        .isInstanceOf(SocketTimeoutException.class).hasMessageContaining("another thread");
            }
            for (int i = 0; i <= sent; i++) {
                assertWhole(left.recvBytes(Duration.ofSeconds(30)), i, LARGE);
            }
            untimed.join();
            assertThat(outcome).hasValue("sent");
            assertThat(left.poll(Duration.ZERO)).as("a send that may not wait left something").isFalse();
        }
    }

    /**
     * The child's sends time out once the holder's queue and the link are full, sending nothing;
     * then sends that may not wait fail at once; then the next message, sent once the parent reads,
     * arrives right after the last one sent.
     */
    @Test
    void aTimedSendFromAChildWhoseReceiverDoesNotReadTimesOutSendingNothing() throws Exception {
        Pipe pipe = Pipe.open();
        PipeConnection childEnd = pipe.right();
        String full = dir.resolve("full").toString();
        try (PipeConnection parentEnd = pipe.left();
             Process<String> child = Process.callable(() -> {
                 // The link is made on first use whatever the timeout; then it has room.
                 childEnd.sendBytes(numbered(0, SMALL), Duration.ZERO);
                 int sent = 1;
                 while (true) {
                     try {
                         childEnd.sendBytes(numbered(sent, SMALL), Duration.ofMillis(200));
                     } catch (SocketTimeoutException e) {
                         break;
                     }
                     sent++;
                     if (sent > 1_000_000) {
                         return "never timed out";
                     }
                 }
                 List<String> noWait = new ArrayList<>();
                 for (Duration none : NO_WAIT) {
                     try {
                         childEnd.sendBytes(numbered(sent, SMALL), none);
                         noWait.add("sent");
                     } catch (SocketTimeoutException e) {
                         noWait.add("timed out");
                     }
                 }
                 ProcessTest.write(full);
                 childEnd.sendBytes(ByteBuffer.allocate(4).putInt(sent).array(), Duration.ofSeconds(60));
                 return "timed out after " + sent + ", then " + noWait;
             }).start()) {
            Await.untilExists(Path.of(full));
            int received = 0;
            byte[] message;
            while ((message = parentEnd.recvBytes(Duration.ofSeconds(60))).length == SMALL) {
                assertWhole(message, received, SMALL);
                received++;
            }
            assertThat(message).as("the message after the timeouts").hasSize(4);
            assertThat(ByteBuffer.wrap(message).getInt()).as("messages the child sent").isEqualTo(received);
            assertThat(child.result(Duration.ofSeconds(60)))
                    .isEqualTo("timed out after " + received + ", then [timed out, timed out, timed out]");
        }
    }

    /**
     * Long messages meet a full link part-way through: a timed send that has begun one finishes it,
     * whatever its timeout, once the parent reads; one that had not begun sends nothing and is sent
     * again. Every message arrives whole and in order.
     */
    @Test
    void aTimedSendFromAChildNeverTearsAMessageItHasBegun() throws Exception {
        Pipe pipe = Pipe.open();
        PipeConnection childEnd = pipe.right();
        String stalled = dir.resolve("stalled").toString();
        int count = 150;
        try (PipeConnection parentEnd = pipe.left();
             Process<String> child = Process.callable(() -> {
                 AtomicInteger sent = new AtomicInteger();
                 AtomicInteger timeouts = new AtomicInteger();
                 AtomicReference<String> failure = new AtomicReference<>();
                 Thread sender = Thread.ofPlatform().name("test-sender").start(() -> {
                     try {
                         while (sent.get() < count) {
                             try {
                                 childEnd.sendBytes(numbered(sent.get(), LARGE), Duration.ofMillis(100));
                                 sent.incrementAndGet();
                             } catch (SocketTimeoutException e) {
                                 timeouts.incrementAndGet(); // nothing went: the same message again
                             }
                         }
                     } catch (IOException e) {
                         failure.set(e.toString());
                     }
                 });
                 // Stalled: a second passes without a message sent, the pipe and the link being full.
                 Await.until("the sender stalls", () -> {
                     int before = sent.get();
                     Thread.sleep(1000);
                     return sent.get() == before || !sender.isAlive();
                 });
                 ProcessTest.write(stalled);
                 sender.join();
                 return failure.get() != null ? failure.get() : "sent " + sent.get();
             }).start()) {
            Await.untilExists(Path.of(stalled));
            for (int i = 0; i < count; i++) {
                assertWhole(parentEnd.recvBytes(Duration.ofSeconds(60)), i, LARGE);
            }
            assertThat(child.result(Duration.ofSeconds(60))).isEqualTo("sent " + count);
            assertThatThrownBy(() -> parentEnd.recvBytes(Duration.ofSeconds(60))).as("after the last message")
                    .isInstanceOf(EOFException.class);
        }
    }
}
