package dev.spindle.process.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spindle.internal.Deadline;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MessageChannelTest {

    @TempDir
    Path dir;

    /**
     * A pipe's holder answers each request on a thread of its own; the next answer's thread may
     * start before the last one has returned from its send. The stream must stay whole.
     */
    @Test
    void answersSentFromThreadsThatOverlapArriveWholeAndInOrder() throws Exception {
        Path address = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(address));
            try (MessageChannel client = new MessageChannel(SocketChannel.open(UnixDomainSocketAddress.of(address)));
                 MessageChannel holder = new MessageChannel(server.accept())) {
                Thread reader = Thread.ofPlatform().name("test-request-reader").start(() -> {
                    try {
                        while (true) {
                            MessageChannel.Tagged request = holder.receiveTagged(Deadline.NONE);
                            byte[] answer = new byte[81];
                            System.arraycopy(request.payload(), 0, answer, 0, 4);
                            Thread.ofVirtual().name("test-answer").start(() -> {
                                try {
                                    holder.sendTagged((byte) 1, answer, 0, answer.length, Deadline.NONE);
                                } catch (java.io.IOException e) {
                                    // The client closed; the test is over.
                                }
                            });
                        }
                    } catch (java.io.IOException e) {
                        // The client closed; the test is over.
                    }
                });
                for (int i = 0; i < 20_000; i++) {
                    byte[] request = java.nio.ByteBuffer.allocate(12).putInt(i).array();
                    client.sendTagged((byte) 1, request, 0, request.length, Deadline.NONE);
                    MessageChannel.Tagged answer = client.receiveTagged(Deadline.afterNanos(TimeUnit.SECONDS.toNanos(30)));
                    assertThat(answer.payload()).hasSize(81);
                    assertThat(java.nio.ByteBuffer.wrap(answer.payload()).getInt()).isEqualTo(i);
                }
                client.close();
                reader.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
    }
}
