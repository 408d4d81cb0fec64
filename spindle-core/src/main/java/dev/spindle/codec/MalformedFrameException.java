package dev.spindle.codec;

/** A frame's header cannot be understood: a negative length, a header the parser rejects, a wrong size. */
public class MalformedFrameException extends FramingException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception that says what was wrong with the frame.
     *
     * @param message what was wrong and what to do about it
     */
    public MalformedFrameException(String message) {
        super(message);
    }

    /**
     * Creates an exception that says what was wrong with the frame and why.
     *
     * @param message what was wrong and what to do about it
     * @param cause   the exception that revealed it, such as a header parser's
     */
    public MalformedFrameException(String message, Throwable cause) {
        super(message, cause);
    }
}
