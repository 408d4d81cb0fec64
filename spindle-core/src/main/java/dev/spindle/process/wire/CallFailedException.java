package dev.spindle.process.wire;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BrokenBarrierException;

/**
 * A call's error reply, as the caller receives it: a {@link #code} that says what kind of failure it
 * was and a message. Nothing of the failure is deserialized: the code maps to one of a few JDK
 * exception types ({@link #toRuntime}), so no class the caller does not know is ever created.
 */
public final class CallFailedException extends IOException {

    public static final byte FAILED = 0;
    public static final byte ILLEGAL_STATE = 1;
    public static final byte ILLEGAL_ARGUMENT = 2;
    public static final byte UNSUPPORTED = 3;
    public static final byte CANCELLED = 4;
    public static final byte BROKEN = 5;
    public static final byte NO_SUCH_OBJECT = 6;

    private final byte code;

    CallFailedException(byte code, java.nio.ByteBuffer message) {
        super(StandardCharsets.UTF_8.decode(message.duplicate()).toString());
        this.code = code;
    }

    public byte code() {
        return code;
    }

    /** The code an exception thrown by a served object travels as. */
    static byte codeOf(Throwable thrown) {
        if (thrown instanceof IllegalStateException) {
            return ILLEGAL_STATE;
        } else if (thrown instanceof IllegalArgumentException) {
            return ILLEGAL_ARGUMENT;
        } else if (thrown instanceof UnsupportedOperationException) {
            return UNSUPPORTED;
        } else if (thrown instanceof InterruptedException) {
            return CANCELLED;
        } else if (thrown instanceof BrokenBarrierException) {
            return BROKEN;
        }
        return FAILED;
    }

    /** The unchecked JDK exception this failure stands for, with its message. */
    public RuntimeException toRuntime() {
        return switch (code) {
            case ILLEGAL_ARGUMENT -> new IllegalArgumentException(getMessage());
            case UNSUPPORTED -> new UnsupportedOperationException(getMessage());
            case ILLEGAL_STATE, NO_SUCH_OBJECT, BROKEN -> new IllegalStateException(getMessage());
            default -> new IllegalStateException(getMessage(), this);
        };
    }
}
