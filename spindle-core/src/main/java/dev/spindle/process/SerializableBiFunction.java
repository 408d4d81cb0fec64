package dev.spindle.process;

import java.io.Serializable;

/**
 * A function of two arguments that can travel to a child process: what a pool's {@code starmap}
 * applies to each pair, Python's {@code func(*args)} for two. See {@link SerializableFunction}.
 *
 * @param <T> the first argument's type
 * @param <U> the second argument's type
 * @param <R> the result's type
 */
@FunctionalInterface
public interface SerializableBiFunction<T, U, R> extends Serializable {

    /** Applies the function to {@code first} and {@code second}. */
    R apply(T first, U second) throws Exception;
}
