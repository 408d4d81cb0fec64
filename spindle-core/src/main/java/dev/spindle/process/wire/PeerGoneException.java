package dev.spindle.process.wire;

import java.io.IOException;

/** The connection to a peer ended (its process ended, or the link broke) before a call's reply came. */
public final class PeerGoneException extends IOException {

    public PeerGoneException(String message, Throwable cause) {
        super(message, cause);
    }
}
