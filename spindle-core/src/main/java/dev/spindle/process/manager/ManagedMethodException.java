package dev.spindle.process.manager;

import java.io.Serial;

/**
 * A method of an object a manager holds threw an exception other than the JDK's common unchecked
 * ones (those are thrown as themselves). The exception itself stays in the manager: this names
 * its type ({@link #remoteType()}) and carries its message, so no class the caller may not know
 * is ever decoded.
 */
public final class ManagedMethodException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final String remoteType;

    ManagedMethodException(String remoteType, String message, String what) {
        super(what + " threw " + remoteType + " in the manager" + (message.isEmpty() ? "" : ": " + message));
        this.remoteType = remoteType;
    }

    /** The name of the exception's class, as it was thrown in the manager. */
    public String remoteType() {
        return remoteType;
    }
}
