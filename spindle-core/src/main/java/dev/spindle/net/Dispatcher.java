package dev.spindle.net;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Runs each accepted connection's task under a {@link Model}. */
interface Dispatcher {

    /**
     * Runs or schedules {@code task}.
     *
     * @throws RejectedExecutionException when the dispatcher has been shut down; the caller refuses the connection
     */
    void dispatch(Runnable task);

    /** Stops taking tasks; tasks already taken still run. */
    void shutdown();

    /** On the calling thread: the one-connection-at-a-time server. */
    Dispatcher INLINE = new Dispatcher() {
        @Override
        public void dispatch(Runnable task) {
            task.run();
        }

        @Override
        public void shutdown() {
        }
    };

    /** A new thread per task, from {@code factory}. */
    static Dispatcher threadPerTask(ThreadFactory factory) {
        return new Dispatcher() {
            @Override
            public void dispatch(Runnable task) {
                factory.newThread(task).start();
            }

            @Override
            public void shutdown() {
            }
        };
    }

    /**
     * {@code threads} platform threads taking tasks from an unbounded queue. The bound is the
     * server's: for a pool it admits at most threads + queue capacity connections, and frees a
     * slot when a connection ends. Bounding here instead, with the executor's queue, would refuse
     * while a worker that has just finished is still on its way back to a
     * {@link java.util.concurrent.SynchronousQueue}, so a pool with a free thread would refuse.
     */
    static Dispatcher pool(int threads, ThreadFactory factory) {
        ExecutorService executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), factory);
        return new Dispatcher() {
            @Override
            public void dispatch(Runnable task) {
                executor.execute(task);
            }

            @Override
            public void shutdown() {
                executor.shutdown();
            }
        };
    }
}
