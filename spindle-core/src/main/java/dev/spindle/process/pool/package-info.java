/**
 * Pools of worker JVMs: {@link dev.spindle.process.pool.ProcessPool} (Python's
 * {@code multiprocessing.Pool}: {@code apply}, {@code map}, {@code imap} and their async forms)
 * and {@link dev.spindle.process.pool.ProcessPoolExecutor} (a JDK {@code ExecutorService}, like
 * Python's {@code concurrent.futures.ProcessPoolExecutor}), one implementation under both. Start
 * with {@code ProcessPool}.
 *
 * <p>Inside: {@code Dispatcher} holds the queue and decides which worker runs what;
 * {@code Worker} is its view of one worker JVM and {@code WorkerJvms} starts and stops them;
 * {@code Recall} takes back tasks queued behind a long one; {@code WorkerLoop} is what a worker JVM
 * runs; {@code Frames} is what they say to each other over the worker's link; {@code Job} and
 * {@code JobCache} send a function to each worker once.
 */
package dev.spindle.process.pool;
