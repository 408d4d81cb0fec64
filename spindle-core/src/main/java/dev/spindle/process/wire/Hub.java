package dev.spindle.process.wire;

import dev.spindle.internal.Deadline;

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

/**
 * Where other processes of the run reach this one: one Unix-domain listener in the run's
 * directory, started on first use, with one accepting thread. {@link Dialer} is the other half.
 * Children connect back here, so does every process that uses a pipe this process opened, and
 * every process that calls an object this one serves.
 *
 * <p>Each connection gets a virtual thread that authenticates it ({@link dev.spindle.process.Handshake},
 * bounded by {@link #HELLO_TIMEOUT_NANOS}) and reads its {@link Hello}, the first envelope, which
 * says what the connection is for. The hello goes to the handler {@linkplain #handle registered}
 * for its kind: a child's link goes to whoever {@linkplain #expect expects} its token, a
 * {@link Hello#PEER} becomes a {@link Peer}, and pipe links go to the pipe layer. A connection that
 * fails the handshake, or whose hello names nothing this process has, is closed without anything
 * being decoded, and the listener goes on: an idle or garbage connection costs one virtual thread
 * until its handshake times out, and never delays another.
 */
public final class Hub {

    public static final long HELLO_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** What a hub does with a connection whose hello has a given kind. */
    @FunctionalInterface
    public interface HelloHandler {
        /**
         * Takes the authenticated {@code channel}.
         *
         * @return false when the hello names nothing here: the hub then closes the channel
         */
        boolean accept(MessageChannel channel, Hello hello, Deadline deadline) throws IOException;
    }

    private static final System.Logger LOG = System.getLogger(Hub.class.getName());
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Map<Byte, HelloHandler> HANDLERS = new ConcurrentHashMap<>();
    private static Hub instance;

    private final Run run;
    private final Path address;
    private final ServerSocketChannel listener;
    private final Map<Long, CompletableFuture<MessageChannel>> expected = new ConcurrentHashMap<>();

    static {
        HANDLERS.put(Hello.PEER, (channel, hello, deadline) -> {
            Peer.start(channel, hello.pid(), null);
            return true;
        });
    }

    private Hub(Run run) throws IOException {
        this.run = run;
        run.holdDirectory();
        this.address = run.newSocketPath("hub");
        this.listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(address), 256);
        HANDLERS.put(Hello.CHILD, (channel, hello, deadline) -> {
            CompletableFuture<MessageChannel> future = expected.get(hello.value());
            if (future != null && future.complete(channel)) {
                return true;
            }
            LOG.log(System.Logger.Level.WARNING, "a child connected with token " + hello.value()
                    + ", which no one expects; closed it");
            return false;
        });
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
    public static Hub get() throws IOException {
        LOCK.lock();
        try {
            if (instance == null) {
                instance = new Hub(Run.current());
            }
            return instance;
        } finally {
            LOCK.unlock();
        }
    }

    /** Hands connections whose hello is of {@code kind} to {@code handler}, from now on. */
    public static void handle(byte kind, HelloHandler handler) {
        HANDLERS.put(kind, handler);
    }

    public Path address() {
        return address;
    }

    public Run run() {
        return run;
    }

    /** The channel of the child launched with {@code token}, once it has connected and authenticated. */
    public CompletableFuture<MessageChannel> expect(long token) {
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
            channel.authenticate(run.key(), true, deadline);
            Envelope first = Envelope.decode(channel.receive(deadline));
            if (first.kind() != Envelope.ONE_WAY || first.target() != 0) {
                LOG.log(System.Logger.Level.WARNING, "a process opened a connection without a hello; closed it");
            } else {
                Hello hello = Hello.decode(first.op(), first.payload());
                HelloHandler handler = HANDLERS.get(hello.kind());
                if (handler == null) {
                    LOG.log(System.Logger.Level.WARNING, "a process sent a hello of kind " + hello.kind()
                            + ", which this process does not serve; closed it");
                } else if (handler.accept(channel, hello, deadline)) {
                    return;
                }
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
