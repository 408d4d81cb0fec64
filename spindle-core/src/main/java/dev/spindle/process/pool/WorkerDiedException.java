package dev.spindle.process.pool;

/**
 * The worker JVM running a task ended before the task did: SIGKILL (the OOM killer's), a crash,
 * or {@code System.exit} inside the task. Only that task fails; the pool starts a worker in the
 * dead one's place, and the tasks that were waiting for the dead worker run on others.
 */
public final class WorkerDiedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long pid;
    private final int exitCode;

    WorkerDiedException(long pid, int exitCode, String circumstance) {
        super("the worker running this task (pid " + pid + ") " + howItEnded(exitCode)
                + (circumstance == null ? "" : " " + circumstance) + "; the pool replaced it");
        this.pid = pid;
        this.exitCode = exitCode;
    }

    /** The dead worker's process id. */
    public long pid() {
        return pid;
    }

    /**
     * How the worker ended, as {@link dev.spindle.process.Process#exitCode} says it: {@code -n}
     * when signal {@code n} ended it (-9 for SIGKILL), else its exit code.
     */
    public int exitCode() {
        return exitCode;
    }

    static String howItEnded(int exitCode) {
        if (exitCode < 0) {
            return "was ended by signal " + -exitCode + signalName(-exitCode);
        }
        return "exited with code " + exitCode;
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 1 -> " (SIGHUP)";
            case 2 -> " (SIGINT)";
            case 6 -> " (SIGABRT: the JVM aborted)";
            case 9 -> " (SIGKILL)";
            case 11 -> " (SIGSEGV: the JVM crashed)";
            case 15 -> " (SIGTERM)";
            default -> "";
        };
    }
}
