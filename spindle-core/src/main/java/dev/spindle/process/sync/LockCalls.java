package dev.spindle.process.sync;

import dev.spindle.internal.Deadline;

import java.io.Serial;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What {@link ProcessLock} and {@link ProcessRLock} share: the calls every copy of a lock makes to
 * its {@link HeldLock}, and the mapping of their replies to the JDK's exceptions.
 */
final class LockCalls implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;
    private static final byte[] LOCK = {HeldLock.LOCK};
    private static final byte[] REACQUIRE = {HeldLock.REACQUIRE};

    private final SyncHandle holder;
    private final String kind;

    LockCalls(boolean reentrant) {
        this.kind = reentrant ? "ProcessRLock" : "ProcessLock";
        this.holder = SyncHandle.serve(new HeldLock(reentrant), kind);
    }

    long holderPid() {
        return holder.holderPid();
    }

    void lock() {
        holder.callUninterruptibly(HeldLock.ACQUIRE, LOCK, Deadline.NONE);
    }

    void lockInterruptibly() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before locking the " + kind);
        }
        holder.call(HeldLock.ACQUIRE, LOCK, Deadline.NONE);
    }

    boolean tryLock() {
        return holder.callNow(HeldLock.ACQUIRE, LOCK) != null;
    }

    boolean tryLock(Deadline deadline) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before locking the " + kind);
        }
        return holder.call(HeldLock.ACQUIRE, LOCK, deadline) != null;
    }

    void unlock() {
        if (holder.callNow(HeldLock.RELEASE, SyncHandle.NOTHING).get() == HeldLock.NOT_OWNER) {
            throw notOwner("unlock");
        }
    }

    /** After a condition wait, however it ended: takes the lock back with the hold count it gave up. */
    void reacquire() {
        holder.callUninterruptibly(HeldLock.ACQUIRE, REACQUIRE, Deadline.NONE);
    }

    boolean isLocked() {
        return state().get(0) != 0;
    }

    int holdCount() {
        return state().getInt(1);
    }

    OptionalLong previousOwnerDied() {
        long pid = state().getLong(5);
        return pid == 0 ? OptionalLong.empty() : OptionalLong.of(pid);
    }

    private ByteBuffer state() {
        return holder.callNow(HeldLock.STATE, SyncHandle.NOTHING);
    }

    ProcessCondition newCondition() {
        long id;
        do {
            // Chosen here, not by the holder: a new condition costs no call, and leaves nothing
            // behind in the holder while no one waits on it.
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        return new ProcessCondition(this, id);
    }

    SyncHandle holder() {
        return holder;
    }

    String kind() {
        return kind;
    }

    IllegalMonitorStateException notOwner(String what) {
        return new IllegalMonitorStateException("the current thread (" + Thread.currentThread().threadId()
                + " of process " + ProcessHandle.current().pid() + ") cannot " + what + " this " + kind
                + ": it does not hold it. Only the thread that locked it may, in the process that locked it");
    }

    @Override
    public String toString() {
        return kind + "[" + holder + "]";
    }
}
