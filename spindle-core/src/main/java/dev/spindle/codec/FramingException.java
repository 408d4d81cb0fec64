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

    /**
     * Creates an exception that says what was wrong with the frame.
     *
     * @param message what was wrong and what to do about it
     */
    public FramingException(String message) {
        super(message);
    }

    /**
     * Creates an exception that says what was wrong with the frame and why.
     *
     * @param message what was wrong and what to do about it
     * @param cause   the exception that revealed it, such as a header parser's
     */
    public FramingException(String message, Throwable cause) {
        super(message, cause);
    }
}
