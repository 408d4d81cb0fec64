package dev.spindle.process.manager;

/**
 * One value a {@link Manager} holds: Python's {@code manager.Value(typecode, value)} proxy, whose
 * {@code .value} is {@link #get()} and {@link #set}. Every method is one atomic call to the
 * manager; {@link #compareAndSet} compares with {@code equals} there. The value crosses as the
 * manager's serializer encodes it, so a value read is a copy.
 *
 * <p>For a number that processes on one machine update often, {@code dev.spindle.process.shm}'s
 * shared values are far faster: no call at all.
 *
 * @param <T> the value's type
 */
public interface ManagedValue<T> {

    /** The value now. */
    T get();

    /** Replaces the value. */
    void set(T value);

    /** Replaces the value and returns the one it had. */
    T getAndSet(T value);

    /** Replaces the value with {@code update} if it equals {@code expected}; returns whether it did. */
    boolean compareAndSet(T expected, T update);
}
