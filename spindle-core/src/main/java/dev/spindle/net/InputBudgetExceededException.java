package dev.spindle.net;

import java.io.IOException;

/**
 * A connection was refused because the unfinished frames it sent would take the server past its
 * budget for buffered input, {@link StreamServerBuilder#inputBudget(long)}. The connection is
 * closed and counted as an error; every other connection goes on. The message says how much the
 * connection would hold, the budget, and how to raise it.
 */
public class InputBudgetExceededException extends IOException {

    private static final long serialVersionUID = 1L;

    /** @param message what the connection would hold, the budget, and how to raise it */
    public InputBudgetExceededException(String message) {
        super(message);
    }
}
