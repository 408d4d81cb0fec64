package dev.spindle.ignite;

import org.apache.ignite.IgniteInterruptedException;
import org.apache.ignite.IgniteLock;

import java.io.Serial;
import java.io.Serializable;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A reentrant {@link Lock} held by the cluster: Ignite's fail-over-safe {@link IgniteLock},
 * reached by its name, so that a copy in a task, on any member, is the same lock. A holder whose
 * node leaves lets go of it. Only the thread that holds it may unlock it.
 */
final class ClusterLock implements Lock, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final String name;
    private transient volatile IgniteLock lock;

    ClusterLock(IgniteLock lock) {
        this.name = lock.name();
        this.lock = lock;
    }

    IgniteLock ignite() {
        IgniteLock l = lock;
        if (l == null) {
            l = Member.lookUp("lock", name, ignite -> ignite.reentrantLock(name, true, false, false));
            lock = l;
        }
        return l;
    }

    @Override
    public void lock() {
        ignite().lock();
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        try {
            ignite().lockInterruptibly();
        } catch (IgniteInterruptedException e) {
            throw ClusterQueue.interrupted(e);
        }
    }

    @Override
    public boolean tryLock() {
        return ignite().tryLock();
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        try {
            return ignite().tryLock(time, unit);
        } catch (IgniteInterruptedException e) {
            throw ClusterQueue.interrupted(e);
        }
    }

    @Override
    public void unlock() {
        ignite().unlock();
    }

    /** A new condition of this lock, shared by name like the lock. */
    @Override
    public Condition newCondition() {
        return ignite().getOrCreateCondition("condition-" + UUID.randomUUID());
    }

    @Override
    public String toString() {
        return "ClusterLock[" + name + "]";
    }
}
