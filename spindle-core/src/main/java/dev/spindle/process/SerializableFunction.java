package dev.spindle.process;

import java.io.Serializable;

/**
 * A function that can travel to a child process: a lambda or method reference assigned to this
 * type is serializable. A pool's {@code map} applies it to each item in a worker. Like
 * {@link SerializableRunnable}, it may throw anything; what it throws reaches the caller as a
 * {@link ChildException}. Whatever it captures, its argument and its result must be serializable
 * and on the serializer's allow-list.
 *
 * @param <T> the argument's type
 * @param <R> the result's type
 */
@FunctionalInterface
public interface SerializableFunction<T, R> extends Serializable {

    /** Applies the function to {@code argument}. */
    R apply(T argument) throws Exception;
}
