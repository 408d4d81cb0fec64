package dev.spindle.codec;

/** A frame's header cannot be understood: a negative length, a header the parser rejects, a wrong size. */
public class MalformedFrameException extends FramingException {
    private static final long serialVersionUID = 1L;

    public MalformedFrameException(String message) {
        super(message);
    }

    public MalformedFrameException(String message, Throwable cause) {
        super(message, cause);
    }
}
