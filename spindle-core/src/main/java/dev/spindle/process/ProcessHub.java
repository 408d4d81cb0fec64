package dev.spindle.process;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where other processes of the run reach this one: one Unix-domain listener in the run's
 * directory, started on first use, with one accepting thread. Children connect back here, and so
 * does every process that uses a pipe this process opened.
 *
 * <p>Each connection gets a virtual thread that authenticates it ({@link Handshake}, bounded by
 * {@link #HELLO_TIMEOUT_NANOS}) and reads its hello, the first message, which says what the
 * connection is for: a child's link (with the token its parent gave it at launch, handed to whoever
 * {@linkplain #expect expects} that token), or a pipe link ({@link PipeLink}). A connection that
 * fails the handshake, or whose hello names nothing this process has, is closed without anything
 * being decoded, and the listener goes on: an idle or garbage connection costs one virtual thread
 * until its handshake times out, and never delays another.
 */
final class ProcessHub {

    static final long HELLO_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** A hello's first byte: a child connecting back with its launch token. */
    static final byte CHILD_HELLO = 1;
    /** A hello's first byte: a link that sends into a pipe this process holds. */
    static final byte PIPE_SENDER_HELLO = 2;
    /** A hello's first byte: a link that receives from a pipe this process holds. */
    static final byte PIPE_RECEIVER_HELLO = 3;
    /** A hello's first byte: a link that holds a pipe's end open for children being handed a copy. */
    static final byte PIPE_CONTROL_HELLO = 4;

    private static final int HELLO_BYTES = 17;
    private static final System.Logger LOG = System.getLogger(ProcessHub.class.getName());
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static ProcessHub instance;

    private final Run run;
    private final Path address;
    private final ServerSocketChannel listener;
    private final Map<Long, CompletableFuture<MessageChannel>> expected = new ConcurrentHashMap<>();

    private ProcessHub(Run run) throws IOException {
        this.run = run;
        run.holdDirectory();
        this.address = run.newSocketPath("hub");
        this.listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(address), 256);
        Thread acceptor = new Thread(this::acceptLoop, "spindle-process-hub");
        acceptor.setDaemon(true);
        acceptor.start();
        // Closing wakes the accepting thread out of native code, which HotSpot's exit would wait 300 ms for.
        ExitSequence.at(ExitSequence.Step.STOP_HUB, () -> {
            try {
                listener.close();
            } catch (IOException e) {
                // Exiting anyway.
            }
        });
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

    /** A hello's body: a long (a token, or a pipe's id), the end's side, and the sender's pid. */
    static byte[] hello(long value, int side) {
        return ByteBuffer.allocate(HELLO_BYTES).putLong(value).put((byte) side).putLong(ProcessHandle.current().pid())
                .array();
    }

    private void acceptLoop() {
        while (listener.isOpen()) {
            try {
                SocketChannel socket = listener.accept();
                Thread.ofVirtual().name("spindle-process-hello").start(() -> greet(socket));
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING,
                        "the process hub could not accept a connection (" + e.getMessage() + "); retrying");
                pause();
            }
        }
    }

    private void greet(SocketChannel socket) {
        MessageChannel channel = null;
        try {
            channel = new MessageChannel(socket);
            Deadline deadline = Deadline.afterNanos(HELLO_TIMEOUT_NANOS);
            channel.authenticate(run.key, true, deadline);
            MessageChannel.Tagged hello = channel.receiveTagged(deadline);
            ByteBuffer body = ByteBuffer.wrap(hello.payload());
            if (body.remaining() != HELLO_BYTES) {
                LOG.log(System.Logger.Level.WARNING, "a process sent a hello of " + body.remaining()
                        + " bytes, not the " + HELLO_BYTES + " every kind has; closed it");
            } else if (hello.tag() == CHILD_HELLO) {
                long token = body.getLong();
                CompletableFuture<MessageChannel> future = expected.get(token);
                if (future != null && future.complete(channel)) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "a child connected with token " + token
                        + ", which no one expects; closed it");
            } else if (hello.tag() == PIPE_SENDER_HELLO || hello.tag() == PIPE_RECEIVER_HELLO
                    || hello.tag() == PIPE_CONTROL_HELLO) {
                long pipe = body.getLong();
                int side = body.get();
                long pid = body.getLong();
                if (PipeLink.serve(channel, pipe, side, hello.tag(), pid, deadline)) {
                    return;
                }
            } else {
                LOG.log(System.Logger.Level.WARNING, "a process sent a hello of unknown kind " + hello.tag()
                        + "; closed it");
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "refused a connection to the process hub: " + e.getMessage());
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
