package org.example.tasks;

import dev.spindle.process.SerializableCallable;

/** Tasks defined outside Spindle's packages, as a user's own code is. */
public final class OutsideTasks {

    private OutsideTasks() {
    }

    /** A lambda whose capturing class is this one. */
    public static SerializableCallable<String> greeting(String name) {
        return () -> "hello, " + name;
    }
}
