package dev.spindle.process.pool;

/**
 * The pool can run no task: its initializer threw in a worker (the cause is that
 * {@link dev.spindle.process.ChildException}), or its workers kept dying before they were ready.
 * Every task waiting in the pool fails with this, and every later submission is refused with it, as
 * {@code concurrent.futures}' {@code BrokenProcessPool}: Python's {@code Pool} would start
 * workers in an endless loop instead.
 */
public final class BrokenPoolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BrokenPoolException(String message, Throwable cause) {
        super(message, cause);
    }
}
