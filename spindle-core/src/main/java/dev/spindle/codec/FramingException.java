package dev.spindle.codec;

import java.io.IOException;

/**
 * The bytes on a connection do not form a valid frame under its {@link Framing}.
 *
 * <p>A framing error is fatal to the connection it happened on and to nothing else: the stream
 * position inside the broken frame is unknown, so servers close that connection, log the reason
 * and go on serving everyone else. The subclasses say what was wrong.
 */
public class FramingException extends IOException {
    private static final long serialVersionUID = 1L;

    public FramingException(String message) {
        super(message);
    }

    public FramingException(String message, Throwable cause) {
        super(message, cause);
    }
}
