package dev.spindle.ignite;

import java.io.IOException;

/**
 * A node or a client could not join the cluster: no node answered at the addresses given, or the
 * cluster refused this JVM's certificate. The message says which, where it can tell.
 */
public final class ClusterJoinException extends IOException {

    ClusterJoinException(String message, Throwable cause) {
        super(message, cause);
    }
}
