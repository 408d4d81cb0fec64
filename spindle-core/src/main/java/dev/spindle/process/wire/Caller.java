package dev.spindle.process.wire;

/**
 * Who made a call: a thread of a process, and the peer the call came over ({@code null} when the
 * call came from this process). A lock's owner is a caller's {@link #pid} and {@link #thread}.
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

    /** The same thread of the same process, for an owner-keyed map. */
    public Owner owner() {
        return new Owner(pid, thread);
    }

    /** A thread of a process: what holds a lock. */
    public record Owner(long pid, long thread) {
    }
}
