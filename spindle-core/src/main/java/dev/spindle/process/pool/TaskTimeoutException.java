package dev.spindle.process.pool;

import java.time.Duration;

/**
 * A task ran longer than its timeout ({@link ProcessPool.Builder#taskTimeout}, or
 * {@link ProcessPool#withTaskTimeout}). The task fails with this at once; the worker running it
 * is stopped (SIGTERM, then SIGKILL after the pool's stop grace) and replaced.
 */
public final class TaskTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long pid;
    private final transient Duration timeout;

    TaskTimeoutException(long pid, Duration timeout) {
        super("the task ran longer than its timeout of " + timeout.toMillis() + " ms; its worker (pid " + pid
                + ") is being stopped and replaced");
        this.pid = pid;
        this.timeout = timeout;
    }

    /** The process id of the worker that was running the task. */
    public long pid() {
        return pid;
    }

    /** The timeout the task ran past. */
    public Duration timeout() {
        return timeout;
    }
}
