package dev.spindle.process;

/**
 * How a {@link Process} gets its JVM: Python's start methods.
 *
 * <p>Both start the child with the parent's {@code java} and class path, and both use a
 * class-data-sharing archive of the class path, which the first child creates automatically and
 * later children map, so a child loads its classes from memory rather than from jars.
 */
public enum StartMethod {

    /** A fresh JVM for every process: Python's {@code spawn}. Nothing runs in the background. */
    SPAWN,

    /**
     * A pre-started idle JVM from a small standby set that the library keeps topped up: Python's
     * {@code forkserver}. The standby JVMs have connected, authenticated and warmed up the
     * classes a task needs before one is taken, so starting costs a message. When none is ready,
     * the process is spawned fresh. The set's size is the system property
     * {@code spindle.process.standby} (default 2); standby JVMs die with their parent.
     */
    WARM
}
