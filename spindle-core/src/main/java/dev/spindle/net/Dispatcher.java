package dev.spindle.net;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;

/** Runs each accepted connection's task under a {@link Model}. */
interface Dispatcher {

    /**
     * Runs or schedules {@code task}.
     *
     * @throws RejectedExecutionException when the model has no room (a full pool); the caller refuses the connection
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

    /** A bounded executor whose rejection policy throws. */
    static Dispatcher pool(ExecutorService executor) {
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
