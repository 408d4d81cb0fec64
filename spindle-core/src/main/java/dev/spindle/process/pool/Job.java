package dev.spindle.process.pool;

import dev.spindle.process.JavaSerializer;
import dev.spindle.process.SerializationLimits;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.Serializable;
import java.io.StreamCorruptedException;

/**
 * A function a pool's tasks run, encoded once: a {@code map} of 100,000 items sends its function
 * to each worker once, not 100,000 times. A worker keeps the jobs the pool {@linkplain Frames
 * defined} for it until told to forget them.
 *
 * <p>The function crosses as a {@link Definition}: the serializer that decodes it (the pool's
 * allow-list, widened by the classes whose code the function runs) and its bytes, as a
 * {@link dev.spindle.process.Process}'s task order carries its task.
 */
final class Job {

    /** Definitions hold only Spindle's and the JDK's types; the function inside stays bytes until decoded with its own list. */
    static final JavaSerializer DEFINITIONS = JavaSerializer.defaults()
            .limits(new SerializationLimits(16, 10_000, Integer.MAX_VALUE));

    final long id;
    /** What the function was, for the pool's cache of recently used functions (by identity). */
    final Object function;
    /** What decodes this job's arguments in the worker and its results here. */
    final JavaSerializer serializer;
    final byte[] definition;

    private Job(long id, Object function, JavaSerializer serializer, byte[] definition) {
        this.id = id;
        this.function = function;
        this.serializer = serializer;
        this.definition = definition;
    }

    /**
     * Encodes {@code function} for the workers.
     *
     * @throws NotSerializableException when the function, or something it captures, is not serializable
     */
    static Job of(long id, Object function, JavaSerializer poolSerializer) throws IOException {
        // A runnable given to the executor crosses inside a wrapper of ours: its own code decides the allow-list.
        Object code = function instanceof RunnableTask wrapped ? wrapped.runnable() : function;
        JavaSerializer serializer = poolSerializer.allowCodeOf(code);
        byte[] encoded;
        try {
            encoded = serializer.encode(function);
        } catch (NotSerializableException e) {
            NotSerializableException clear = new NotSerializableException(e.getMessage() + ": a pool task captures "
                    + "it, and everything a task captures must be Serializable");
            clear.initCause(e);
            throw clear;
        }
        return new Job(id, function, serializer, DEFINITIONS.encode(new Definition(serializer, encoded)));
    }

    /** What crosses to a worker: the function's serializer and bytes. */
    record Definition(JavaSerializer serializer, byte[] function) implements Serializable {

        /** Decodes a definition; the function in it stays bytes until {@link #decodeFunction}. */
        static Definition read(byte[] bytes) throws IOException {
            if (!(DEFINITIONS.decode(bytes) instanceof Definition d)) {
                throw new StreamCorruptedException("the pool sent something other than a job definition");
            }
            return d;
        }

        /** The function, decoded with the definition's own serializer. */
        Object decodeFunction() throws IOException {
            return serializer.decode(function);
        }
    }
}
