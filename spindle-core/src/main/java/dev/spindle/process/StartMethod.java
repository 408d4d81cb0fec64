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
     * the process is spawned fresh, and the set doubles, up to the system property
     * {@code spindle.process.standby.max} (default 4). Its first size is the system property
     * {@code spindle.process.standby} (default 2);
     * {@link Process#prepareWarmStandby(int, java.time.Duration)} sets it for a burst. Standby JVMs
     * die with their parent.
     *
     * <p>A WARM start and join costs about 15 ms on a 2-core machine, of which the child JVM's own
     * exit is 5 to 7 ms; a burst larger than the set, or starts back to back faster than JVMs boot
     * (about 200 ms of CPU each), spawn.
     */
    WARM
}
