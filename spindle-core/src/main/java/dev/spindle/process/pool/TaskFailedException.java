package dev.spindle.process.pool;

/**
 * A pool task did not produce its value: what {@link AsyncResult#get}, {@link ProcessPool#map} and
 * an {@code imap} iterator throw. The cause says why:
 * <ul>
 *   <li>a {@link dev.spindle.process.ChildException}: the task threw (its class name, message
 *   and stack trace as the worker saw them);</li>
 *   <li>a {@link WorkerDiedException}: the worker running it died (killed, crashed, or
 *   {@code System.exit} in the task);</li>
 *   <li>a {@link TaskTimeoutException}: it ran past its timeout, and its worker was stopped;</li>
 *   <li>an {@link java.io.IOException} (often a {@link dev.spindle.process.ClassNotAllowedException}):
 *   its result could not be decoded here;</li>
 *   <li>a {@link BrokenPoolException}: the pool cannot run tasks any more.</li>
 * </ul>
 * Only the task in question failed: the pool and its other tasks carry on.
 */
public final class TaskFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TaskFailedException(Throwable cause) {
        super("a pool task failed: " + describe(cause), cause);
    }

    /** The cause's message (a child's exception's reads as the original's {@code toString()}), else its class. */
    static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null ? cause.getClass().getName() : message;
    }
}
