package dev.spindle.codec;

/** The input ended in the middle of a frame: the peer closed or stopped sending part-way through. */
public class TruncatedFrameException extends FramingException {
    private static final long serialVersionUID = 1L;

    private final long received;

    public TruncatedFrameException(String what, long received) {
        super("input ended " + received + " bytes into a " + what + "; the peer closed before sending the whole frame");
        this.received = received;
    }

    /** How many bytes of the unfinished frame had arrived. */
    public long received() {
        return received;
    }
}
