package dev.spindle.process;

import java.io.Serializable;

/**
 * How large an object graph {@link JavaSerializer} decodes: the bounds that keep a hostile
 * or mistaken message from exhausting the receiver's stack or heap before the allow-list has
 * anything to say. A graph that crosses one fails with a {@link SerializationLimitException} that
 * names the limit, the value that crossed it, and how to raise it.
 *
 * <pre>{@code
 * SerializationLimits big = SerializationLimits.DEFAULT.withMaxArrayLength(256 * 1024 * 1024);
 * Process.callable(task).serializationLimits(big).start();                 // task and result
 * Pipe.open(true, JavaSerializer.defaults().limits(big));            // pipe messages
 * }</pre>
 *
 * @param maxDepth        the deepest nesting of objects (a list in a list in a list is depth 3)
 * @param maxReferences   the most objects and references to them in one message
 * @param maxArrayLength  the longest array, in elements
 */
public record SerializationLimits(int maxDepth, long maxReferences, long maxArrayLength) implements Serializable {

    /** Depth 64, 1,000,000 references, arrays of 16 Mi elements. */
    public static final SerializationLimits DEFAULT = new SerializationLimits(64, 1_000_000, 16L * 1024 * 1024);

    /**
     * @throws IllegalArgumentException if a limit is not positive
     */
    public SerializationLimits {
        if (maxDepth < 1 || maxReferences < 1 || maxArrayLength < 1) {
            throw new IllegalArgumentException("serialization limits must be positive, got depth " + maxDepth
                    + ", references " + maxReferences + ", array length " + maxArrayLength);
        }
    }

    /** These limits with another maximum depth. */
    public SerializationLimits withMaxDepth(int depth) {
        return new SerializationLimits(depth, maxReferences, maxArrayLength);
    }

    /** These limits with another maximum number of references. */
    public SerializationLimits withMaxReferences(long references) {
        return new SerializationLimits(maxDepth, references, maxArrayLength);
    }

    /** These limits with another maximum array length. */
    public SerializationLimits withMaxArrayLength(long length) {
        return new SerializationLimits(maxDepth, maxReferences, length);
    }
}
