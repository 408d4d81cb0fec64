package dev.spindle.ignite;

import java.time.Duration;

/** A cluster task ran past its timeout and was stopped: its thread was interrupted on its node. */
public final class ClusterTaskTimeoutException extends RuntimeException {

    private final Duration timeout;

    ClusterTaskTimeoutException(Duration timeout, Throwable cause) {
        super("the task ran past its timeout of " + timeout + " and was stopped (its thread interrupted)", cause);
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }
}
