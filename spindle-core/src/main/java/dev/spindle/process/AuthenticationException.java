package dev.spindle.process;

import java.io.IOException;

/** The peer of a process channel did not prove it holds the run's key; nothing it sent was decoded. */
public class AuthenticationException extends IOException {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
        super(message);
    }
}
