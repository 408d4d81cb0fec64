package dev.spindle.process.wire;

import dev.spindle.internal.Deadline;

import java.nio.ByteBuffer;

/**
 * An object this process serves to others: a queue, a lock, a child's task runner. Calls reach it
 * through a {@link Peer} (from another process) or an {@link ObjectHandle} (from this one), always
 * the same way, so the local and the remote user see the same behaviour.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #call} may wait until {@code deadline} and no longer; when it would have to wait
 *   longer it returns {@code null} and has changed nothing. A peer first runs every call on its
 *   reader with a deadline that has passed, and only a call that returns {@code null} there gets
 *   a virtual thread to wait on: calls that need not wait cost no thread hop.</li>
 *   <li>A non-null reply is never empty: the empty reply means "timed out" on the wire.</li>
 *   <li>{@link #oneWay} never waits: it runs on the peer's reader.</li>
 *   <li>An exception becomes an error reply ({@link CallFailedException#codeOf}); an
 *   {@link InterruptedException} means the caller cancelled.</li>
 *   <li>Implementations are thread-safe: many peers call at once.</li>
 * </ul>
 */
public interface ServedObject {

    /**
     * Serves one call.
     *
     * @return the reply (never empty), or {@code null} when it would wait past {@code deadline}
     */
    byte[] call(Caller caller, byte op, ByteBuffer payload, Deadline deadline) throws Exception;

    /** Serves a message that wants no reply; never waits. */
    default void oneWay(Caller caller, byte op, ByteBuffer payload) throws Exception {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " takes no one-way message " + op);
    }

    /** The connection to {@code peer} ended: whatever its process held here is its no longer. */
    default void peerEnded(Peer peer) {
    }
}
