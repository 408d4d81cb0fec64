package dev.spindle.process.manager;

import dev.spindle.process.HolderUnreachableException;

import java.io.Serial;

/**
 * A manager's process has ended, or cannot be reached: every call to an object it held fails with
 * this at once, never hangs. {@link #holderPid()} is the manager's pid.
 */
public final class ManagerUnreachableException extends HolderUnreachableException {

    @Serial
    private static final long serialVersionUID = 1L;

    ManagerUnreachableException(String message, long managerPid, Throwable cause) {
        super(message, managerPid, cause);
    }
}
