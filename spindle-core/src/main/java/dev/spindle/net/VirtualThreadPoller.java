package dev.spindle.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts the JDK's virtual-thread I/O poller before a server needs it.
 *
 * <p>The JDK creates the poller (its own epoll descriptors) the first time a virtual thread blocks
 * on a socket. If that first time comes when the process is out of file descriptors, as when a
 * server accepts a burst of connections faster than their handlers start, the poller's class
 * fails to initialize and every virtual thread's socket I/O fails for the life of the JVM. So a
 * server under {@link Model#VIRTUAL} makes one virtual thread block on a pipe when it opens.
 */
final class VirtualThreadPoller {

    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private VirtualThreadPoller() {
    }

    /** Makes sure the poller runs; a no-op after the first call. Best effort: a failure is left to surface later. */
    static void start() {
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        try {
            Pipe pipe = Pipe.open();
            try (Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
                Thread reader = Thread.ofVirtual().name("spindle-poller-start").start(() -> {
                    try {
                        source.read(ByteBuffer.allocate(1));
                    } catch (IOException ignored) {
                        // the pipe closed under us: the poller was started all the same
                    }
                });
                long deadline = System.nanoTime() + MAX_WAIT_NANOS;
                // A virtual thread blocked on I/O is WAITING: by then it has registered with the poller.
                while (reader.getState() != Thread.State.WAITING && reader.isAlive()
                        && System.nanoTime() - deadline < 0) {
                    Thread.sleep(1);
                }
                sink.write(ByteBuffer.wrap(new byte[] {0}));
                reader.join(TimeUnit.NANOSECONDS.toMillis(MAX_WAIT_NANOS));
            }
        } catch (IOException e) {
            STARTED.set(false); // out of descriptors already: let the next server try again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
