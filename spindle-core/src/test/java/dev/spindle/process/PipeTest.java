package dev.spindle.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.example.gadgets.Gadget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class PipeTest {

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

    @Test
    void aMessageTooLongForTheCallStaysUnread() throws Exception {
        Pipe pipe = Pipe.open();
        try (PipeConnection left = pipe.left(); PipeConnection right = pipe.right()) {
            right.sendBytes("0123456789".getBytes());
            assertThatThrownBy(() -> left.recvBytes(4)).isInstanceOf(MessageTooLongException.class)
                    .hasMessageContaining("10 bytes").hasMessageContaining("stays unread");
            byte[] small = new byte[12];
            assertThatThrownBy(() -> left.recvBytesInto(small, 4)).isInstanceOf(MessageTooLongException.class)
                    .extracting(e -> ((MessageTooLongException) e).length()).isEqualTo(10);
            assertThat(left.recvBytesInto(small, 2)).isEqualTo(10);
            assertThat(new String(small, 2, 10)).isEqualTo("0123456789");
        }
    }

    @Test
    void recvAfterThePeerClosedThrowsEofOnceTheMessagesAreTaken() throws Exception {
        Pipe pipe = Pipe.open();
        try (PipeConnection left = pipe.left(); PipeConnection right = pipe.right()) {
            right.send("last words");
            right.close();
            assertThat(left.poll(Duration.ofSeconds(30))).isTrue();
            assertThat(left.recv()).isEqualTo("last words");
            assertThat(left.poll()).isTrue();
            assertThatThrownBy(left::recv).isInstanceOf(EOFException.class)
                    .hasMessageContaining("other end of the pipe was closed");
            assertThatThrownBy(right::recv).isInstanceOf(IOException.class).hasMessageContaining("closed");
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

    @Test
    void closeWakesAReceiverWaitingInAnotherThread() throws Exception {
        Pipe pipe = Pipe.open();
        try (PipeConnection left = pipe.left(); PipeConnection right = pipe.right()) {
            right.send("connect");
            assertThat(left.recv()).isEqualTo("connect");
            CompletableFuture<Object> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return left.recv();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Thread.sleep(100);
            left.close();
            assertThatThrownBy(() -> waiting.get(30, TimeUnit.SECONDS)).hasRootCauseInstanceOf(IOException.class)
                    .hasMessageContaining("closed");
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
    void aPeerWithTheWrongKeyIsRefusedBeforeAnyOfItsDataIsRead() throws Exception {
        // The codec would accept a Gadget, so only authentication stands between its bytes and readResolve.
        Pipe pipe = Pipe.open(true, JavaSerializationCodec.defaults().allow(Gadget.class));
        try (PipeConnection left = pipe.left(); PipeConnection right = pipe.right()) {
            CompletableFuture<Object> receiving = CompletableFuture.supplyAsync(() -> {
                try {
                    return left.recv();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Path address = Path.of(left.address());
            ProcessTest.awaitFile(address);
            int before = Gadget.resolved;
            try (SocketChannel intruder = SocketChannel.open(UnixDomainSocketAddress.of(address))) {
                var in = Channels.newInputStream(intruder);
                var out = Channels.newOutputStream(intruder);
                byte[] payload = serialized(new Gadget("planted"));
                ByteBuffer message = ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).flip();
                // Answer the challenge wrongly, then send an object message anyway.
                assertThatThrownBy(() -> Handshake.authenticate(in, out, Handshake.newKey(), false))
                        .isInstanceOf(AuthenticationException.class);
                while (message.hasRemaining() && intruder.isOpen()) {
                    try {
                        intruder.write(message);
                    } catch (IOException refusedAlready) {
                        break;
                    }
                }
            }
            assertThatThrownBy(() -> receiving.get(30, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("wrong key");
            assertThat(Gadget.resolved).isEqualTo(before);
            // The end still works for the peer that holds the key.
            right.send(new Gadget("welcome"));
            assertThat(((Gadget) left.recv()).payload()).isEqualTo("welcome");
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
            assertThat(consumer.result()).hasSize(10).startsWith("baozi 0").endsWith("baozi 9");
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
                 for (int i = 0; i < 1000; i++) {
                     sum += (Integer) right.recv();
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
    void anEndPassedOnAfterUseIsAnInertCopy() throws Exception {
        Pipe pipe = Pipe.open();
        try (PipeConnection left = pipe.left(); PipeConnection right = pipe.right()) {
            left.send("used here");
            assertThat(right.recv()).isEqualTo("used here");
            JavaSerializationCodec codec = JavaSerializationCodec.defaults();
            PipeConnection copy = (PipeConnection) codec.decode(codec.encode(left));
            assertThatThrownBy(() -> copy.send("x")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("used by one process only");
            copy.close();
            left.send("still fine");
            assertThat(right.recv()).isEqualTo("still fine");
        }
    }

    private static byte[] serialized(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }
}
