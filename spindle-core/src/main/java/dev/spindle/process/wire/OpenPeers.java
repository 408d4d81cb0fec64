package dev.spindle.process.wire;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every {@link Peer} of this process that has not ended, for the exit's last step
 * ({@link ExitSequence.Step#CLOSE_CONNECTIONS}): it closes them and waits for their readers,
 * because HotSpot's exit waits up to 300 ms for any thread blocked in native code, which an open
 * connection's reader is.
 */
final class OpenPeers {

    /** How long the exit waits for one connection's reader to leave, after closing it. */
    private static final Duration READER_EXIT_WAIT = Duration.ofMillis(100);
    private static final Set<Peer> OPEN = ConcurrentHashMap.newKeySet();

    static {
        ExitSequence.at(ExitSequence.Step.CLOSE_CONNECTIONS, OpenPeers::closeAllAndAwaitReaders);
    }

    private OpenPeers() {
    }

    static void opened(Peer peer) {
        OPEN.add(peer);
    }

    static void ended(Peer peer) {
        OPEN.remove(peer);
    }

    private static void closeAllAndAwaitReaders() {
        List<Peer> open = List.copyOf(OPEN);
        open.forEach(Peer::close);
        for (Peer peer : open) {
            try {
                peer.reader.join(READER_EXIT_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
