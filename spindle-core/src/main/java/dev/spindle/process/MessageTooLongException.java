package dev.spindle.process;

import java.io.IOException;

/**
 * The next message is longer than the caller can take: {@code recvBytes}'s {@code maxLength}, or
 * the room left in {@code recvBytesInto}'s buffer (Python's {@code BufferTooShort}). Unlike
 * Python, nothing is lost: the message stays unread, and a call with room enough receives it.
 */
public final class MessageTooLongException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int length;

    MessageTooLongException(int length, int room) {
        super("the next message has " + length + " bytes, more than the " + room
                + " the call can take; it stays unread: receive it with a larger limit or buffer");
        this.length = length;
    }

    /** The length of the message that did not fit. */
    public int length() {
        return length;
    }
}
