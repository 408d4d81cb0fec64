package dev.spindle.process.shm;

import dev.spindle.process.sync.ProcessRLock;

import java.io.Serial;
import java.io.Serializable;
import java.nio.MappedByteBuffer;

/**
 * What a {@link SharedValue} and a {@link SharedArray} are made of: one {@link SharedMemory} block
 * of their own, and the lock for compound updates when they were created with one.
 */
abstract class LockableBlock implements Serializable, AutoCloseable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final SharedMemory block;
    private final ProcessRLock lock;
    /** How to make one with a lock: said when {@link #lock()} is asked of one without. */
    private final String howToLock;

    LockableBlock(int bytes, boolean locked, String howToLock) {
        this.block = SharedMemory.create(bytes);
        this.lock = locked ? new ProcessRLock() : null;
        this.howToLock = howToLock;
    }

    /**
     * The lock created with this value or array, for updates of several steps: Python's
     * {@code get_lock()}. It is held by the process that created it (see the Pitfalls).
     *
     * @throws IllegalStateException if it was created without one
     */
    public ProcessRLock lock() {
        if (lock == null) {
            throw new IllegalStateException("this was created without a lock; create it with " + howToLock);
        }
        return lock;
    }

    /** Lets go of the memory in this process: later calls on this object throw {@link IllegalStateException}. */
    @Override
    public void close() {
        block.close();
    }

    /** The memory, attached on first use in a process that received this object. */
    MappedByteBuffer memory() {
        return block.mapped();
    }
}
