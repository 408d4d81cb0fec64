package dev.spindle.process;

import java.io.Serializable;

/**
 * A task without a result that can travel to a child process: a lambda assigned to this type is
 * serializable. Like Python's {@code target}, it may throw anything: a checked exception ends the
 * child with exit code 1 and reaches the parent as a {@link ChildException}, so a task that waits
 * on a queue or a lock needs no try/catch of its own. Whatever it captures must be serializable too, and on the serializer's allow-list in
 * the child (see {@link Process#allow}).
 */
@FunctionalInterface
public interface SerializableRunnable extends Serializable {

    /** Runs the task. */
    void run() throws Exception;
}
