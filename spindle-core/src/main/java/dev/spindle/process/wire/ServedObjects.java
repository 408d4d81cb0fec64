package dev.spindle.process.wire;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The objects this process serves, by id: Python's {@code Server.id_to_obj}. A {@link Peer}
 * looks up a call's target here; {@link ObjectHandle#serve} adds to it. Id 0 is never used: it
 * names a connection's own object.
 */
public final class ServedObjects {

    private static final Map<Long, ServedObject> OBJECTS = new ConcurrentHashMap<>();
    /** Ids are random, not counted: a stale handle (its holder restarted on the same address) names nothing. */
    private static final java.security.SecureRandom IDS = new java.security.SecureRandom();

    private ServedObjects() {
    }

    /** Serves {@code object} and returns its id. */
    public static long add(ServedObject object) {
        while (true) {
            long id = IDS.nextLong() & Long.MAX_VALUE;
            if (id != 0 && OBJECTS.putIfAbsent(id, object) == null) {
                return id;
            }
        }
    }

    /** The object served as {@code id}, or null. */
    static ServedObject get(long id) {
        return OBJECTS.get(id);
    }

    /** Stops serving {@code id}: calls to it fail from now on. */
    public static void remove(long id) {
        OBJECTS.remove(id);
    }

    /** Tells every served object that {@code peer}'s connection ended. */
    static void peerEnded(Peer peer) {
        for (ServedObject object : OBJECTS.values()) {
            try {
                object.peerEnded(peer);
            } catch (RuntimeException e) {
                System.getLogger(ServedObjects.class.getName()).log(System.Logger.Level.WARNING,
                        "a served object failed to let go of what process " + peer.pid() + " held: " + e, e);
            }
        }
    }
}
