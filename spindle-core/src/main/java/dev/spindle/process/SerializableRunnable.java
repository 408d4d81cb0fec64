package dev.spindle.process;

import java.io.Serializable;

/**
 * A {@link Runnable} that can travel to a child process: a lambda assigned to this type is
 * serializable. Whatever it captures must be serializable too, and on the serializer's allow-list in
 * the child (see {@link Process#allow}).
 */
@FunctionalInterface
public interface SerializableRunnable extends Runnable, Serializable {
}
