package dev.spindle.process;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The handshake over a real loopback connection. */
class HandshakeTest {

    interface Side {
        void run(Socket socket) throws Exception;
    }

    /**
     * Runs the accepting side on another thread and the connecting side here. The listening
     * socket closes once it has accepted, not when the connecting side is done, which may be first.
     */
    private static CompletableFuture<Void> pair(Side accepting, Side connecting) throws Exception {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        server.setSoTimeout(10_000);
        CompletableFuture<Void> accepted = CompletableFuture.runAsync(() -> {
            try (server; Socket s = server.accept()) {
                s.setSoTimeout(10_000);
                accepting.run(s);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
            s.setSoTimeout(10_000);
            connecting.run(s);
        } catch (AuthenticationException expected) {
            accepted.exceptionally(t -> null).get(10, TimeUnit.SECONDS);
            throw expected;
        }
        return accepted;
    }

    @Test
    void peersWithTheSameKeyAuthenticateEachOther() throws Exception {
        byte[] key = Handshake.newKey();
        CompletableFuture<Void> other = pair(
                s -> Handshake.authenticate(s.getInputStream(), s.getOutputStream(), key, true),
                s -> Handshake.authenticate(s.getInputStream(), s.getOutputStream(), key, false));
        other.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aWrongKeyIsRefusedBeforeAnyObjectDataIsRead() throws Exception {
        byte[] key = Handshake.newKey();
        byte[] wrong = Handshake.newKey();
        byte[] object = JavaSerializer.defaults().encode("would be decoded after the handshake");
        int[] unread = new int[1];
        CompletableFuture<Void> server = pair(s -> {
            InputStream in = s.getInputStream();
            try {
                Handshake.authenticate(in, s.getOutputStream(), key, true);
            } finally {
                // Every byte of the intruder's object arrives; none of it may have been consumed.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (in.available() < object.length && System.nanoTime() - deadline < 0) {
                    Thread.sleep(1);
                }
                unread[0] = in.available();
            }
        }, s -> {
            OutputStream out = s.getOutputStream();
            // An intruder answers with the wrong key and sends an object at once, without waiting.
            byte[] challenge = s.getInputStream().readNBytes(Handshake.CHALLENGE_BYTES);
            out.write(Handshake.hmac(wrong, challenge));
            out.write(object);
            out.flush();
            assertThat(s.getInputStream().read()).as("the refusal byte").isZero();
        });
        assertThatThrownBy(() -> server.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(AuthenticationException.class)
                .hasMessageContaining("wrong key");
        assertThat(unread[0]).as("every byte of the object is still unread").isEqualTo(object.length);
    }

    @Test
    void theSideThatAnsweredWithTheWrongKeyLearnsItWasRefused() throws Exception {
        byte[] key = Handshake.newKey();
        byte[] wrong = Handshake.newKey();
        assertThatThrownBy(() -> pair(
                s -> Handshake.authenticate(s.getInputStream(), s.getOutputStream(), key, true),
                s -> Handshake.authenticate(s.getInputStream(), s.getOutputStream(), wrong, false)))
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("refused our answer");
    }

    @Test
    void aPeerThatClosesMidHandshakeFailsCleanly() throws Exception {
        byte[] key = Handshake.newKey();
        CompletableFuture<Void> server = pair(
                s -> assertThatThrownBy(() -> Handshake.authenticate(s.getInputStream(), s.getOutputStream(), key, true))
                        .isInstanceOf(IOException.class),
                Socket::close);
        server.get(10, TimeUnit.SECONDS);
    }
}
