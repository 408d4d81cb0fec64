/**
 * Locks and friends between processes: Python's {@code multiprocessing.Lock}, {@code RLock},
 * {@code Condition}, {@code Semaphore}, {@code BoundedSemaphore}, {@code Event} and
 * {@code Barrier}, with the JDK's interfaces and names where the JDK has them:
 * {@link dev.spindle.process.sync.ProcessLock} and {@link dev.spindle.process.sync.ProcessRLock}
 * are {@link java.util.concurrent.locks.Lock}s whose {@code newCondition()} gives a
 * {@link dev.spindle.process.sync.ProcessCondition};
 * {@link dev.spindle.process.sync.ProcessSemaphore} and
 * {@link dev.spindle.process.sync.ProcessBoundedSemaphore} have
 * {@link java.util.concurrent.Semaphore}'s methods; {@link dev.spindle.process.sync.ProcessEvent}
 * is Python's event; {@link dev.spindle.process.sync.ProcessBarrier} follows
 * {@link java.util.concurrent.CyclicBarrier}.
 *
 * <p>Each object lives in the process that created it (its holder) and is reached from the
 * others over the process layer's one connection per pair of processes; a task that captures one
 * uses the same object in its child. Every blocking call has a form with a timeout, and a timeout
 * of zero or less never waits.
 *
 * <p><b>Beyond Python</b>, a process that dies does not take others down with it: a lock it held
 * is released and its next owner is told ({@code previousOwnerDied()}), its condition waits are
 * dropped, and a barrier it was a party of breaks for everyone waiting, naming it. Semaphore
 * permits it acquired are not given back.
 */
package dev.spindle.process.sync;
