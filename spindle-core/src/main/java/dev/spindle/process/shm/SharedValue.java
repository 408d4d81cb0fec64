package dev.spindle.process.shm;

import java.io.Serial;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.util.function.DoubleUnaryOperator;

/**
 * A number in shared memory that many processes read and change at once, atomically and without
 * a lock: Python's {@code multiprocessing.Value}. One type per kind, after the JDK's
 * {@code Spliterator.OfInt}: {@link OfInt}, {@link OfLong} and {@link OfDouble}, with the methods
 * of {@link java.util.concurrent.atomic.AtomicInteger} and {@link java.util.concurrent.atomic.AtomicLong}.
 *
 * <pre>{@code
 * SharedValue.OfLong counter = SharedValue.ofLong(0);
 * List<Process<Void>> workers = ...;    // each runs: for (...) counter.incrementAndGet();
 * counter.get();                        // exactly the sum, with no lock
 * }</pre>
 *
 * <p>Python's {@code v.value += 1} is two steps and loses updates unless done under
 * {@code with v.get_lock():}; {@code incrementAndGet()} here is one atomic step on the shared
 * memory itself (a hardware compare-and-set), from any process. For an update that takes several
 * steps (read two values, write one), create the value with a lock ({@link #ofLong(long, boolean)})
 * and hold {@link #lock()} around it, as Python's {@code lock=True}.
 *
 * <p>Every read and write is a volatile access of the shared memory: what one process wrote
 * before it set a value, another sees after it reads that value.
 *
 * <h2>Lifecycle</h2>
 * A value is a {@link SharedMemory} block of its own, created with it and removed when the run
 * ends. It is {@link java.io.Serializable}: a value captured by a task, or sent through a pipe or a queue,
 * is the same value in the other process. {@link #close()} lets go of it in this process.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>The lock, when there is one, is held by the process that created the value (as every
 *   {@code process.sync} lock is): it works while that process lives; the value itself outlives
 *   it, for the rest of the run.</li>
 *   <li>Each value is a block, a file in {@code /dev/shm} and a page of memory: for thousands of
 *   numbers, use one {@link SharedArray}.</li>
 * </ul>
 */
public abstract sealed class SharedValue extends LockableBlock
        permits SharedValue.OfInt, SharedValue.OfLong, SharedValue.OfDouble {

    @Serial
    private static final long serialVersionUID = 1L;
    static final VarHandle INTS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private SharedValue(int bytes, boolean locked) {
        super(bytes, locked, "SharedValue.ofLong(initial, true) (or ofInt, ofDouble)");
    }

    /** A new shared {@code long}, without a lock. */
    public static OfLong ofLong(long initial) {
        return ofLong(initial, false);
    }

    /** A new shared {@code long}; with {@code lock}, also a lock for compound updates ({@link #lock()}). */
    public static OfLong ofLong(long initial, boolean lock) {
        OfLong value = new OfLong(lock);
        value.set(initial);
        return value;
    }

    /** A new shared {@code int}, without a lock. */
    public static OfInt ofInt(int initial) {
        return ofInt(initial, false);
    }

    /** A new shared {@code int}; with {@code lock}, also a lock for compound updates. */
    public static OfInt ofInt(int initial, boolean lock) {
        OfInt value = new OfInt(lock);
        value.set(initial);
        return value;
    }

    /** A new shared {@code double}, without a lock. */
    public static OfDouble ofDouble(double initial) {
        return ofDouble(initial, false);
    }

    /** A new shared {@code double}; with {@code lock}, also a lock for compound updates. */
    public static OfDouble ofDouble(double initial, boolean lock) {
        OfDouble value = new OfDouble(lock);
        value.set(initial);
        return value;
    }

    /** A shared {@code long}: {@link java.util.concurrent.atomic.AtomicLong}'s methods on shared memory. */
    public static final class OfLong extends SharedValue {
        @Serial
        private static final long serialVersionUID = 1L;

        private OfLong(boolean locked) {
            super(Long.BYTES, locked);
        }

        public long get() {
            return (long) LONGS.getVolatile(memory(), 0);
        }

        public void set(long value) {
            LONGS.setVolatile(memory(), 0, value);
        }

        public long getAndSet(long value) {
            return (long) LONGS.getAndSet(memory(), 0, value);
        }

        /** Sets {@code update} if the value is {@code expected}; returns whether it did. */
        public boolean compareAndSet(long expected, long update) {
            return LONGS.compareAndSet(memory(), 0, expected, update);
        }

        public long getAndAdd(long delta) {
            return (long) LONGS.getAndAdd(memory(), 0, delta);
        }

        public long addAndGet(long delta) {
            return getAndAdd(delta) + delta;
        }

        public long incrementAndGet() {
            return getAndAdd(1) + 1;
        }

        public long decrementAndGet() {
            return getAndAdd(-1) - 1;
        }

        public long getAndIncrement() {
            return getAndAdd(1);
        }

        @Override
        public String toString() {
            return Long.toString(get());
        }
    }

    /** A shared {@code int}: {@link java.util.concurrent.atomic.AtomicInteger}'s methods on shared memory. */
    public static final class OfInt extends SharedValue {
        @Serial
        private static final long serialVersionUID = 1L;

        private OfInt(boolean locked) {
            super(Integer.BYTES, locked);
        }

        public int get() {
            return (int) INTS.getVolatile(memory(), 0);
        }

        public void set(int value) {
            INTS.setVolatile(memory(), 0, value);
        }

        public int getAndSet(int value) {
            return (int) INTS.getAndSet(memory(), 0, value);
        }

        /** Sets {@code update} if the value is {@code expected}; returns whether it did. */
        public boolean compareAndSet(int expected, int update) {
            return INTS.compareAndSet(memory(), 0, expected, update);
        }

        public int getAndAdd(int delta) {
            return (int) INTS.getAndAdd(memory(), 0, delta);
        }

        public int addAndGet(int delta) {
            return getAndAdd(delta) + delta;
        }

        public int incrementAndGet() {
            return getAndAdd(1) + 1;
        }

        public int decrementAndGet() {
            return getAndAdd(-1) - 1;
        }

        public int getAndIncrement() {
            return getAndAdd(1);
        }

        @Override
        public String toString() {
            return Integer.toString(get());
        }
    }

    /**
     * A shared {@code double}. Its compare-and-set compares the bits (as
     * {@link Double#doubleToRawLongBits}), so {@code NaN} equals itself and {@code 0.0} is not
     * {@code -0.0}; {@link #getAndAdd} retries a compare-and-set until it wins.
     */
    public static final class OfDouble extends SharedValue {
        @Serial
        private static final long serialVersionUID = 1L;

        private OfDouble(boolean locked) {
            super(Long.BYTES, locked);
        }

        public double get() {
            return Double.longBitsToDouble((long) LONGS.getVolatile(memory(), 0));
        }

        public void set(double value) {
            LONGS.setVolatile(memory(), 0, Double.doubleToRawLongBits(value));
        }

        public double getAndSet(double value) {
            return Double.longBitsToDouble((long) LONGS.getAndSet(memory(), 0, Double.doubleToRawLongBits(value)));
        }

        /** Sets {@code update} if the value's bits are {@code expected}'s; returns whether it did. */
        public boolean compareAndSet(double expected, double update) {
            return LONGS.compareAndSet(memory(), 0, Double.doubleToRawLongBits(expected),
                    Double.doubleToRawLongBits(update));
        }

        public double getAndAdd(double delta) {
            return getAndUpdate(v -> v + delta);
        }

        public double addAndGet(double delta) {
            return getAndAdd(delta) + delta;
        }

        /** Applies {@code update} atomically (retrying when another process got in between); returns the old value. */
        public double getAndUpdate(DoubleUnaryOperator update) {
            MappedByteBuffer memory = memory();
            while (true) {
                long bits = (long) LONGS.getVolatile(memory, 0);
                double before = Double.longBitsToDouble(bits);
                if (LONGS.compareAndSet(memory, 0, bits, Double.doubleToRawLongBits(update.applyAsDouble(before)))) {
                    return before;
                }
            }
        }

        @Override
        public String toString() {
            return Double.toString(get());
        }
    }
}
