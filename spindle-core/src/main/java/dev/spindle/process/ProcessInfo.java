package dev.spindle.process;

/**
 * Who a process is within its run: Python's {@code current_process()}, {@code os.getpid()} and
 * {@code os.getppid()} in one value. Get this process's own with {@link Process#current()}.
 *
 * @param name the process's name: {@code MainProcess} for the first process of a run, otherwise
 *             the name its parent gave it ({@code Process-1} by default)
 * @param pid the operating system's process id
 * @param parentPid the process id of the process that started it (for the run's first process,
 *                  its operating-system parent)
 * @param daemon whether it dies when its parent does
 */
public record ProcessInfo(String name, long pid, long parentPid, boolean daemon) {
}
