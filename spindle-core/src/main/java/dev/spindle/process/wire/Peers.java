package dev.spindle.process.wire;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * This process's connections to the hubs of other processes, one per hub, shared by every object
 * handle that calls objects served there. A child's link to its parent is one of them, so a child
 * calls its parent's objects over the connection it already has.
 */
public final class Peers {

    private static final Map<String, Peer> PEERS = new ConcurrentHashMap<>();
    private static final ReentrantLock DIALLING = new ReentrantLock();

    private Peers() {
    }

    /** The connection to the hub at {@code address} (of process {@code pid}), dialled on first use. */
    public static Peer to(Path address, long pid) throws IOException {
        return to(new UnixHubAddress(address), pid);
    }

    /** {@link #to(Path, long)} for a hub at any address. */
    static Peer to(HubAddress address, long pid) throws IOException {
        Peer peer = PEERS.get(address.text());
        if (peer != null && !peer.hasEnded()) {
            return peer;
        }
        DIALLING.lock();
        try {
            peer = PEERS.get(address.text());
            if (peer == null || peer.hasEnded()) {
                MessageChannel channel = Dialer.dial(address, address.key(), Hello.of(Hello.PEER, 0, 0),
                        Deadline.afterNanos(Hub.HELLO_TIMEOUT_NANOS));
                peer = Peer.start(channel, pid, null);
                add(address.text(), peer);
            }
            return peer;
        } finally {
            DIALLING.unlock();
        }
    }

    /** Makes {@code peer} the connection to the hub at {@code address}, until it ends. */
    public static void add(Path address, Peer peer) {
        add(address.toString(), peer);
    }

    /** Makes {@code peer} the connection to the hub at {@code address} from now on, under the dialling lock. */
    static void replace(String address, Peer peer) {
        DIALLING.lock();
        try {
            add(address, peer);
        } finally {
            DIALLING.unlock();
        }
    }

    private static void add(String address, Peer peer) {
        PEERS.put(address, peer);
        peer.onEnd(() -> PEERS.remove(address, peer));
    }
}
