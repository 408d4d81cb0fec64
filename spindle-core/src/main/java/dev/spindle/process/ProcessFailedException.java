package dev.spindle.process;

import java.util.OptionalInt;

/**
 * A child process ended without a result: its task threw (the cause is then the child's
 * {@link ChildException}, with the child's stack trace), it exited or was killed before
 * finishing, or its result could not be decoded (the cause says why, for example a
 * {@link ClassNotAllowedException}).
 */
public final class ProcessFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient OptionalInt exitCode;

    ProcessFailedException(String message, OptionalInt exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** The child's exit code, as {@link Process#exitCode()} gives it; empty if it was still running. */
    public OptionalInt exitCode() {
        return exitCode;
    }
}
