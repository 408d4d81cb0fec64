package dev.spindle.codec;

/**
 * A frame declares or reaches a size over the framing's maximum. Raised as soon as the size is
 * known, before the frame is buffered, so an oversized frame never costs its size in memory.
 */
public class FrameTooLargeException extends FramingException {
    private static final long serialVersionUID = 1L;

    private final long size;
    private final long maxSize;

    /**
     * Creates an exception for a frame over the maximum.
     *
     * @param size    the size the frame declared, or the bytes seen so far when it declares none
     * @param maxSize the framing's maximum
     * @param what    what was too large, such as "line" or "length-prefixed frame"
     */
    public FrameTooLargeException(String what, long size, long maxSize) {
        super(what + " of " + (size > maxSize ? size : "more than " + maxSize) + " bytes exceeds the maximum of "
                + maxSize + " bytes; raise the framing's maximum frame size if such frames are expected");
        this.size = size;
        this.maxSize = maxSize;
    }

    /**
     * Returns the size the frame declared, or the bytes seen so far when its size is not declared up front.
     *
     * @return the frame's size, as far as it is known
     */
    public long size() {
        return size;
    }

    /**
     * Returns the framing's maximum.
     *
     * @return the maximum frame size, in bytes
     */
    public long maxSize() {
        return maxSize;
    }
}
