package dev.spindle.process.wire;

/**
 * Who made a call: a thread of a process, and the peer the call came over ({@code null} when the
 * call came from this process). A lock's owner is a caller's {@link #owner}: its pid and thread
 * as the caller gave them, and the connection they came over, so that two machines' processes
 * with the same pid (containers' pid 1) are never one owner.
 */
public record Caller(long pid, long thread, Peer peer) {

    private static final long PID = ProcessHandle.current().pid();

    /** The current thread of this process. */
    public static Caller local() {
        return new Caller(PID, Thread.currentThread().threadId(), null);
    }

    /** Whether the caller is in this process. */
    public boolean isLocal() {
        return peer == null;
    }

    /** The same thread of the same process over the same connection, for an owner-keyed map. */
    public Owner owner() {
        return new Owner(pid, thread, peer == null ? 0 : peer.serial());
    }

    /** A thread of a process, reached over a connection (0: this process): what holds a lock. */
    public record Owner(long pid, long thread, long connection) {
    }
}
