package dev.spindle.process;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A {@link Callable} that can travel to a child process, and whose result comes back: a lambda
 * assigned to this type is serializable. Whatever it captures, and its result, must be
 * serializable and on the serializer's allow-list (see {@link Process#allow}).
 *
 * @param <T> the result's type
 */
@FunctionalInterface
public interface SerializableCallable<T> extends Callable<T>, Serializable {
}
