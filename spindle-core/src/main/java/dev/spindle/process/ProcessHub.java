package dev.spindle.process;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Where this process's children connect back: one Unix-domain listener in the run's directory,
 * started on first use, with one accepting thread.
 *
 * <p>Each connection gets a virtual thread that authenticates it ({@link Handshake}, bounded by
 * {@link #HELLO_TIMEOUT_NANOS}) and reads its hello, the token its parent gave it at launch;
 * the channel then goes to whoever {@linkplain #expect expects} that token. A connection that
 * fails the handshake, or names no expected token, is closed without anything being decoded, and
 * the listener goes on.
 */
final class ProcessHub {

    static final long HELLO_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final Logger LOG = Logger.getLogger(ProcessHub.class.getName());
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static ProcessHub instance;

    private final Run run;
    private final Path address;
    private final ServerSocketChannel listener;
    private final Map<Long, CompletableFuture<MessageChannel>> expected = new ConcurrentHashMap<>();

    private ProcessHub(Run run) throws IOException {
        this.run = run;
        this.address = run.newSocketPath("hub");
        this.listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(address), 256);
        Thread acceptor = new Thread(this::acceptLoop, "spindle-process-hub");
        acceptor.setDaemon(true);
        acceptor.start();
        // Closing wakes the accepting thread out of native code, which HotSpot's exit would wait 300 ms for.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                listener.close();
            } catch (IOException e) {
                // Exiting anyway.
            }
        }, "spindle-process-hub-stop"));
    }

    /** This process's hub, started on first use. */
    static ProcessHub get() throws IOException {
        LOCK.lock();
        try {
            if (instance == null) {
                instance = new ProcessHub(Run.current());
            }
            return instance;
        } finally {
            LOCK.unlock();
        }
    }

    Path address() {
        return address;
    }

    Run run() {
        return run;
    }

    /** The channel of the child launched with {@code token}, once it has connected and authenticated. */
    CompletableFuture<MessageChannel> expect(long token) {
        CompletableFuture<MessageChannel> future = new CompletableFuture<>();
        expected.put(token, future);
        future.whenComplete((channel, error) -> expected.remove(token));
        return future;
    }

    private void acceptLoop() {
        while (listener.isOpen()) {
            try {
                SocketChannel socket = listener.accept();
                Thread.ofVirtual().name("spindle-process-hello").start(() -> greet(socket));
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.log(Level.WARNING, "the process hub could not accept a child's connection; retrying", e);
                pause();
            }
        }
    }

    private void greet(SocketChannel socket) {
        MessageChannel channel = null;
        try {
            channel = new MessageChannel(socket);
            long deadline = MessageChannel.deadline(HELLO_TIMEOUT_NANOS);
            channel.authenticate(run.key, true, deadline);
            long token = new DataInputStream(new ByteArrayInputStream(channel.receive(deadline))).readLong();
            CompletableFuture<MessageChannel> future = expected.get(token);
            if (future != null && future.complete(channel)) {
                return;
            }
            LOG.warning("a child connected with token " + token + ", which no one expects; closed it");
        } catch (IOException e) {
            LOG.log(Level.WARNING, "refused a connection to the process hub: " + e.getMessage());
        }
        closeQuietly(channel, socket);
    }

    private static void closeQuietly(MessageChannel channel, SocketChannel socket) {
        try {
            if (channel != null) {
                channel.close();
            } else {
                socket.close();
            }
        } catch (IOException e) {
            // Already refused; nothing more to do with it.
        }
    }

    /** After an accept failure such as running out of descriptors: back off rather than spin. */
    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
