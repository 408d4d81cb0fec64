package dev.spindle.process.wire;

import java.io.Serial;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * The keys (and routes) this process knows for TCP hubs, such as a remote manager's: what a
 * parent hands its child with the task, so that proxies the task captured reach their manager from
 * the child too (Python hands a child its authkey the same way). They travel only inside the run,
 * over its authenticated private sockets.
 *
 * @param keys   hub address (as a handle names it) to key
 * @param routes hub address as announced to the address it is dialled at
 */
public record RemoteHubKeys(HashMap<String, byte[]> keys, HashMap<String, String> routes) implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /** What this process knows now. */
    public static RemoteHubKeys known() {
        return TcpHubAddress.known();
    }

    /** Makes what {@code known} holds known to this process too. */
    public void adopt() {
        TcpHubAddress.adopt(this);
    }

    /** Whether there is nothing to hand over. */
    public boolean isEmpty() {
        return keys.isEmpty();
    }

    static RemoteHubKeys of(Map<String, byte[]> keys, Map<String, String> routes) {
        return new RemoteHubKeys(new HashMap<>(keys), new HashMap<>(routes));
    }
}
