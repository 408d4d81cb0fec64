package dev.spindle.process;

import java.io.InvalidClassException;

/**
 * Decoding stopped because the object graph crossed one of the serializer's {@link SerializationLimits}.
 * Nothing past the limit was created. The message names the limit, the value that crossed it, and
 * how to raise it.
 */
public final class SerializationLimitException extends InvalidClassException {
    private static final long serialVersionUID = 1L;

    /** Which bound was crossed. */
    public enum Limit {
        /** {@link SerializationLimits#maxDepth()}. */
        DEPTH("nesting depth", "withMaxDepth"),
        /** {@link SerializationLimits#maxReferences()}. */
        REFERENCES("number of objects and references", "withMaxReferences"),
        /** {@link SerializationLimits#maxArrayLength()}. */
        ARRAY_LENGTH("array length", "withMaxArrayLength");

        private final String what;
        private final String setter;

        Limit(String what, String setter) {
            this.what = what;
            this.setter = setter;
        }
    }

    private final Limit limit;
    private final long value;
    private final long maximum;

    SerializationLimitException(Limit limit, long value, long maximum) {
        super("the object graph's " + limit.what + " reached " + value + ", over the limit of " + maximum
                + ", so it was not decoded. If such messages are expected, raise the limit on both sides: "
                + "SerializationLimits.DEFAULT." + limit.setter + "(" + Math.max(value, 2 * maximum)
                + "), given to Process.serializationLimits(...) for a task and its result, or to "
                + "JavaSerializer.defaults().limits(...) for a Pipe's serializer");
        this.limit = limit;
        this.value = value;
        this.maximum = maximum;
    }

    /** The limit that was crossed. */
    public Limit limit() {
        return limit;
    }

    /** The value that crossed it. */
    public long value() {
        return value;
    }

    /** The limit's maximum. */
    public long maximum() {
        return maximum;
    }
}
