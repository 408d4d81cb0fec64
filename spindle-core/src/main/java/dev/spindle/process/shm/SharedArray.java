package dev.spindle.process.shm;

import java.io.Serial;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.util.Objects;

/**
 * An array in shared memory that many processes read and change at once: Python's
 * {@code multiprocessing.Array} (and a typed view of {@code shared_memory}). One type per kind,
 * after {@code Spliterator.OfInt}: {@link OfInt}, {@link OfLong}, {@link OfDouble} and
 * {@link OfByte}.
 *
 * <p>Each element of an {@code int}, {@code long} or {@code double} array is read and written as
 * a volatile access, and has the atomic methods of
 * {@link java.util.concurrent.atomic.AtomicLongArray} ({@code getAndAdd}, {@code compareAndSet}
 * ...), with no lock. {@code read} and {@code write} copy a range at memory speed, each element
 * whole but the range not as one step: for a consistent range, hold {@link #lock()} (create the
 * array with one) around it, as Python's {@code lock=True}. A byte array's elements are plain
 * accesses.
 *
 * <p>Created in one process, captured by tasks, used by many: an array is {@link java.io.Serializable},
 * and a copy is the same array. Its memory is one {@link SharedMemory} block, removed when the
 * run ends; {@link #close()} lets go of it in this process. Positions out of range throw
 * {@link IndexOutOfBoundsException}.
 */
public abstract sealed class SharedArray extends LockableBlock
        permits SharedArray.OfInt, SharedArray.OfLong, SharedArray.OfDouble, SharedArray.OfByte {

    @Serial
    private static final long serialVersionUID = 1L;

    private final int length;

    private SharedArray(int length, int elementBytes, boolean locked) {
        super(checkedBytes(length, elementBytes), locked, "lock = true (SharedArray.ofLongs(length, true) ...)");
        this.length = length;
    }

    private static int checkedBytes(int length, int elementBytes) {
        if (length <= 0) {
            throw new IllegalArgumentException("a shared array's length must be positive, not " + length);
        }
        if ((long) length * elementBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a shared array of " + length + " elements of " + elementBytes
                    + " bytes is more than a block holds (2 GiB)");
        }
        return length * elementBytes;
    }

    /** A new shared {@code int} array of {@code length} zeros; with {@code lock}, also a lock ({@link #lock()}). */
    public static OfInt ofInts(int length, boolean lock) {
        return new OfInt(length, lock);
    }

    /** A new shared {@code long} array of {@code length} zeros; with {@code lock}, also a lock. */
    public static OfLong ofLongs(int length, boolean lock) {
        return new OfLong(length, lock);
    }

    /** A new shared {@code double} array of {@code length} zeros; with {@code lock}, also a lock. */
    public static OfDouble ofDoubles(int length, boolean lock) {
        return new OfDouble(length, lock);
    }

    /** A new shared byte array of {@code length} zeros; with {@code lock}, also a lock. */
    public static OfByte ofBytes(int length, boolean lock) {
        return new OfByte(length, lock);
    }

    /** How many elements the array has. */
    public int length() {
        return length;
    }

    /** A view of the memory for a bulk copy: this thread's own, native order. */
    ByteBuffer view() {
        return memory().duplicate().order(ByteOrder.nativeOrder());
    }

    int check(int index) {
        return Objects.checkIndex(index, length);
    }

    void checkRange(int from, int count, int arrayLength, int offset) {
        Objects.checkFromIndexSize(from, count, length);
        Objects.checkFromIndexSize(offset, count, arrayLength);
    }

    /** A shared {@code long} array. */
    public static final class OfLong extends SharedArray {
        @Serial
        private static final long serialVersionUID = 1L;

        private OfLong(int length, boolean locked) {
            super(length, Long.BYTES, locked);
        }

        public long get(int index) {
            return (long) SharedValue.LONGS.getVolatile(memory(), check(index) * Long.BYTES);
        }

        public void set(int index, long value) {
            SharedValue.LONGS.setVolatile(memory(), check(index) * Long.BYTES, value);
        }

        public long getAndAdd(int index, long delta) {
            return (long) SharedValue.LONGS.getAndAdd(memory(), check(index) * Long.BYTES, delta);
        }

        public long incrementAndGet(int index) {
            return getAndAdd(index, 1) + 1;
        }

        public boolean compareAndSet(int index, long expected, long update) {
            return SharedValue.LONGS.compareAndSet(memory(), check(index) * Long.BYTES, expected, update);
        }

        /** Copies {@code count} elements from {@code source[offset...]} into the array from {@code from}. */
        public void write(int from, long[] source, int offset, int count) {
            checkRange(from, count, source.length, offset);
            view().asLongBuffer().put(from, source, offset, count);
        }

        /** Copies {@code count} elements of the array from {@code from} into {@code target[offset...]}. */
        public void read(int from, long[] target, int offset, int count) {
            checkRange(from, count, target.length, offset);
            view().asLongBuffer().get(from, target, offset, count);
        }

        /** A copy of the whole array. */
        public long[] toArray() {
            long[] copy = new long[length()];
            read(0, copy, 0, copy.length);
            return copy;
        }

        @Override
        public String toString() {
            return java.util.Arrays.toString(toArray());
        }
    }

    /** A shared {@code int} array. */
    public static final class OfInt extends SharedArray {
        @Serial
        private static final long serialVersionUID = 1L;

        private OfInt(int length, boolean locked) {
            super(length, Integer.BYTES, locked);
        }

        public int get(int index) {
            return (int) SharedValue.INTS.getVolatile(memory(), check(index) * Integer.BYTES);
        }

        public void set(int index, int value) {
            SharedValue.INTS.setVolatile(memory(), check(index) * Integer.BYTES, value);
        }

        public int getAndAdd(int index, int delta) {
            return (int) SharedValue.INTS.getAndAdd(memory(), check(index) * Integer.BYTES, delta);
        }

        public int incrementAndGet(int index) {
            return getAndAdd(index, 1) + 1;
        }

        public boolean compareAndSet(int index, int expected, int update) {
            return SharedValue.INTS.compareAndSet(memory(), check(index) * Integer.BYTES, expected, update);
        }

        /** Copies {@code count} elements from {@code source[offset...]} into the array from {@code from}. */
        public void write(int from, int[] source, int offset, int count) {
            checkRange(from, count, source.length, offset);
            view().asIntBuffer().put(from, source, offset, count);
        }

        /** Copies {@code count} elements of the array from {@code from} into {@code target[offset...]}. */
        public void read(int from, int[] target, int offset, int count) {
            checkRange(from, count, target.length, offset);
            view().asIntBuffer().get(from, target, offset, count);
        }

        /** A copy of the whole array. */
        public int[] toArray() {
            int[] copy = new int[length()];
            read(0, copy, 0, copy.length);
            return copy;
        }

        @Override
        public String toString() {
            return java.util.Arrays.toString(toArray());
        }
    }

    /** A shared {@code double} array; compare-and-set compares bits, as {@link SharedValue.OfDouble}'s. */
    public static final class OfDouble extends SharedArray {
        @Serial
        private static final long serialVersionUID = 1L;

        private OfDouble(int length, boolean locked) {
            super(length, Double.BYTES, locked);
        }

        public double get(int index) {
            return Double.longBitsToDouble((long) SharedValue.LONGS.getVolatile(memory(), check(index) * Double.BYTES));
        }

        public void set(int index, double value) {
            SharedValue.LONGS.setVolatile(memory(), check(index) * Double.BYTES, Double.doubleToRawLongBits(value));
        }

        public boolean compareAndSet(int index, double expected, double update) {
            return SharedValue.LONGS.compareAndSet(memory(), check(index) * Double.BYTES,
                    Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(update));
        }

        /** Adds {@code delta} atomically (retrying when another process got in between); returns the old value. */
        public double getAndAdd(int index, double delta) {
            MappedByteBuffer memory = memory();
            int at = check(index) * Double.BYTES;
            while (true) {
                long bits = (long) SharedValue.LONGS.getVolatile(memory, at);
                double before = Double.longBitsToDouble(bits);
                if (SharedValue.LONGS.compareAndSet(memory, at, bits, Double.doubleToRawLongBits(before + delta))) {
                    return before;
                }
            }
        }

        /** Copies {@code count} elements from {@code source[offset...]} into the array from {@code from}. */
        public void write(int from, double[] source, int offset, int count) {
            checkRange(from, count, source.length, offset);
            view().asDoubleBuffer().put(from, source, offset, count);
        }

        /** Copies {@code count} elements of the array from {@code from} into {@code target[offset...]}. */
        public void read(int from, double[] target, int offset, int count) {
            checkRange(from, count, target.length, offset);
            view().asDoubleBuffer().get(from, target, offset, count);
        }

        /** A copy of the whole array. */
        public double[] toArray() {
            double[] copy = new double[length()];
            read(0, copy, 0, copy.length);
            return copy;
        }

        @Override
        public String toString() {
            return java.util.Arrays.toString(toArray());
        }
    }

    /** A shared byte array: plain reads and writes, and bulk copies at memory speed. */
    public static final class OfByte extends SharedArray {
        @Serial
        private static final long serialVersionUID = 1L;

        private OfByte(int length, boolean locked) {
            super(length, 1, locked);
        }

        public byte get(int index) {
            return memory().get(check(index));
        }

        public void set(int index, byte value) {
            memory().put(check(index), value);
        }

        /** Copies {@code count} bytes from {@code source[offset...]} into the array from {@code from}. */
        public void write(int from, byte[] source, int offset, int count) {
            checkRange(from, count, source.length, offset);
            memory().put(from, source, offset, count);
        }

        /** Copies {@code count} bytes of the array from {@code from} into {@code target[offset...]}. */
        public void read(int from, byte[] target, int offset, int count) {
            checkRange(from, count, target.length, offset);
            memory().get(from, target, offset, count);
        }

        /** A copy of the whole array. */
        public byte[] toArray() {
            byte[] copy = new byte[length()];
            read(0, copy, 0, copy.length);
            return copy;
        }

        @Override
        public String toString() {
            return "SharedArray.OfByte[" + length() + "]";
        }
    }
}
