/**
 * Queues between processes: Python's {@code multiprocessing.Queue}, {@code JoinableQueue} and
 * {@code SimpleQueue}. Start with {@link dev.spindle.process.queue.ProcessQueue}, a
 * {@link java.util.concurrent.BlockingQueue} that every process of the run can put into and take
 * from; {@link dev.spindle.process.queue.ProcessJoinableQueue} adds {@code taskDone} and
 * {@code join}. A queue lives in the process that created it and is reached from the others over
 * the process layer's one connection per pair of processes.
 */
package dev.spindle.process.queue;
