/**
 * Shared memory between processes: Python's {@code multiprocessing.Value}, {@code Array} and
 * {@code shared_memory}. Start with {@link dev.spindle.process.shm.SharedValue} for a counter or
 * a flag, {@link dev.spindle.process.shm.SharedArray} for numbers many processes fill, and
 * {@link dev.spindle.process.shm.SharedMemory} for a named block of bytes (which a Python program
 * can attach too).
 *
 * <p>Values and arrays are atomic per element without a lock (a compare-and-set on the shared
 * memory itself), unlike Python's. Blocks are files in {@code /dev/shm}, private to their user,
 * and removed when the run that made them ends, even after a SIGKILL; see
 * {@link dev.spindle.process.shm.SharedMemory}'s Lifecycle.
 */
package dev.spindle.process.shm;
