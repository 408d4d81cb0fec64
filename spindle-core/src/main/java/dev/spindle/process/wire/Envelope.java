package dev.spindle.process.wire;

import java.io.StreamCorruptedException;
import java.nio.ByteBuffer;

/**
 * The one request/reply envelope between processes: every message on a {@link Peer} (and the
 * {@link Hello} that opens every connection) is one of these, in one {@link MessageChannel}
 * message. Python's {@code multiprocessing.managers.dispatch} is the shape: a call names an object
 * and a method, and its reply is a return or an error.
 *
 * <pre>
 * kind:1 callId:8 then, by kind,
 *   CALL     target:8 op:1 thread:8 waitNanos:8 payload   a reply is due
 *   ONE_WAY  target:8 op:1 thread:8 payload               no reply
 *   RETURN   payload                                      the call's value
 *   ERROR    code:1 payload                               what went wrong ({@link CallFailedException})
 *   CANCEL                                                the caller gave up; stop waiting for it
 * </pre>
 *
 * <p>{@code target} is a served object's id ({@link ServedObjects}; 0 is the connection's own
 * object), {@code op} the operation, {@code thread} the calling thread's id (what owns a lock),
 * and {@code waitNanos} how long the call may wait where it is served: negative or zero means it
 * must not wait, {@link Long#MAX_VALUE} that it has no limit. Payloads are the object's own.
 */
public record Envelope(byte kind, long callId, long target, byte op, long thread, long waitNanos,
        ByteBuffer payload) {

    public static final byte CALL = 1;
    public static final byte ONE_WAY = 2;
    public static final byte RETURN = 3;
    public static final byte ERROR = 4;
    public static final byte CANCEL = 5;

    /** {@code waitNanos} of a call that may wait as long as it takes. */
    public static final long NO_LIMIT = Long.MAX_VALUE;

    private static final int CALL_HEADER = 1 + 8 + 8 + 1 + 8 + 8;
    private static final int ONE_WAY_HEADER = 1 + 8 + 8 + 1 + 8;

    static byte[] callHeader(long callId, long target, byte op, long thread, long waitNanos) {
        return ByteBuffer.allocate(CALL_HEADER).put(CALL).putLong(callId).putLong(target).put(op).putLong(thread)
                .putLong(waitNanos).array();
    }

    static byte[] oneWayHeader(long target, byte op, long thread) {
        return ByteBuffer.allocate(ONE_WAY_HEADER).put(ONE_WAY).putLong(0).putLong(target).put(op).putLong(thread)
                .array();
    }

    static byte[] returnHeader(long callId) {
        return ByteBuffer.allocate(9).put(RETURN).putLong(callId).array();
    }

    static byte[] errorHeader(long callId, byte code) {
        return ByteBuffer.allocate(10).put(ERROR).putLong(callId).put(code).array();
    }

    static byte[] cancelHeader(long callId) {
        return ByteBuffer.allocate(9).put(CANCEL).putLong(callId).array();
    }

    /**
     * Reads an envelope from one received message; the payload is a view of {@code message}.
     *
     * @throws StreamCorruptedException when the message is too short for its kind, or of no kind
     */
    static Envelope decode(byte[] message) throws StreamCorruptedException {
        ByteBuffer in = ByteBuffer.wrap(message);
        try {
            byte kind = in.get();
            long callId = in.getLong();
            return switch (kind) {
                case CALL -> new Envelope(kind, callId, in.getLong(), in.get(), in.getLong(), in.getLong(), in.slice());
                case ONE_WAY -> new Envelope(kind, callId, in.getLong(), in.get(), in.getLong(), 0, in.slice());
                case RETURN, CANCEL -> new Envelope(kind, callId, 0, (byte) 0, 0, 0, in.slice());
                case ERROR -> new Envelope(kind, callId, 0, in.get(), 0, 0, in.slice());
                default -> throw new StreamCorruptedException("a peer sent an envelope of unknown kind " + kind
                        + "; the connection cannot be used any further");
            };
        } catch (java.nio.BufferUnderflowException e) {
            throw new StreamCorruptedException("a peer sent an envelope of " + message.length
                    + " bytes, too short for its kind; the connection cannot be used any further");
        }
    }

    /** An error's code: for ERROR, {@link #op} carries it. */
    byte code() {
        return op;
    }
}
