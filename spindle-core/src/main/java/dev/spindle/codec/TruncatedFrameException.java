package dev.spindle.codec;

/** The input ended in the middle of a frame: the peer closed or stopped sending part-way through. */
public class TruncatedFrameException extends FramingException {
    private static final long serialVersionUID = 1L;

    private final long received;

    /**
     * Creates an exception for input that ended part-way through a frame.
     *
     * @param what     what was cut short, such as "delimited frame" or "message body"
     * @param received how many bytes of it had arrived
     */
    public TruncatedFrameException(String what, long received) {
        super("input ended " + received + " bytes into a " + what + "; the peer closed before sending the whole frame");
        this.received = received;
    }

    /**
     * Returns how many bytes of the unfinished frame had arrived.
     *
     * @return the bytes of the unfinished frame received
     */
    public long received() {
        return received;
    }
}
