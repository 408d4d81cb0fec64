/**
 * The threading tools Python has and the JDK lacks, for threads and virtual threads in one JVM:
 * {@link dev.spindle.sync.Event} ({@code threading.Event}), {@link dev.spindle.sync.BoundedSemaphore},
 * {@link dev.spindle.sync.JoinableQueue} ({@code task_done} / {@code join} over any
 * {@code BlockingQueue}), {@link dev.spindle.sync.TaskGroup} (gevent's {@code spawn} /
 * {@code joinall}), {@link dev.spindle.sync.Generator} (a generator function as a lazy iterator)
 * and {@link dev.spindle.sync.Coroutine} ({@code generator.send}).
 *
 * <p>Where the JDK has the tool, use it: {@code ReentrantLock} for {@code RLock},
 * {@code CyclicBarrier} for {@code Barrier}, {@code Semaphore}, {@code Condition},
 * {@code Timer} / {@code ScheduledExecutorService}; {@code docs/python-to-java.md} maps each name.
 * Between processes, see {@code dev.spindle.process.sync}.
 *
 * <p>Every blocking call has a form that takes a timeout, with the library's one rule: zero or
 * negative means do not wait. Locks are {@code ReentrantLock}s, so a waiting virtual thread does
 * not pin its carrier.
 */
package dev.spindle.sync;
