/**
 * Python's {@code multiprocessing} for the JVM: tasks in child JVMs, pipes between processes, and
 * serialization that decodes nothing from an unauthenticated peer or outside an allow-list.
 *
 * <p>Start with {@link dev.spindle.process.Process} (a task in a child JVM, with its result, its
 * exception and its exit code) and {@link dev.spindle.process.Pipe} (two connected
 * {@link dev.spindle.process.PipeConnection} ends, held by the process that opened it). What
 * crosses between processes goes through a {@link dev.spindle.process.Serializer}, by default
 * {@link dev.spindle.process.JavaSerializer} with its allow-list and
 * {@link dev.spindle.process.SerializationLimits}.
 *
 * <p>Queues, locks and the other objects processes share are in
 * {@link dev.spindle.process.queue} and {@link dev.spindle.process.sync}.
 *
 * <p>Every process of a run reaches the others through one Unix-domain listener each, in a
 * directory only this user may enter, after a mutual HMAC handshake with the run's key; the key
 * never appears on a command line. Between two processes there is one connection, and every
 * object crosses it in the same envelope (the internal package {@code dev.spindle.process.wire}).
 *
 * <p>Every call that waits for another process (a join, a result, a pipe's send, receive or poll)
 * has a form that takes a timeout, and each follows one rule: zero or negative
 * means do not wait (as {@link java.util.concurrent.Semaphore#tryAcquire(long,
 * java.util.concurrent.TimeUnit) Semaphore.tryAcquire}), never wait forever.
 */
package dev.spindle.process;
