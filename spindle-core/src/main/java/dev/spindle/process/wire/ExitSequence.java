package dev.spindle.process.wire;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the process layer does when the JVM exits, in order, on one shutdown hook. The JVM runs
 * separate hooks all at once, and these steps depend on each other: pipe messages must be delivered
 * while the hub still accepts the links that will receive them, and the run's directory, which
 * holds the hub's socket, goes last.
 */
public final class ExitSequence {

    /** The steps, in the order they run. */
    public enum Step {
        /** A child tells its parent how it ends, before anything below closes its link. */
        REPORT,
        /** Standby JVMs are killed: they hold no task and nothing waits for them. */
        STOP_STANDBY,
        /** Children that outlive this process get the tasks their start promised. */
        DELIVER_TASKS,
        /** This process stays while a message it holds in a pipe can still be received. */
        DELIVER_PIPE_MESSAGES,
        /** The hub stops accepting. */
        STOP_HUB,
        /** The process leaves its run; the last process of the run removes its directory. */
        LEAVE_RUN,
        /**
         * Every connection to another process closes and its reader is waited for: HotSpot's exit
         * waits up to 300 ms for any thread blocked in native code, which an open connection's
         * reader is.
         */
        CLOSE_CONNECTIONS
    }

    private static final ReentrantLock LOCK = new ReentrantLock();
    private static volatile boolean onSignal;
    private static final Map<Step, List<Runnable>> ACTIONS = new EnumMap<>(Step.class);
    private static boolean hooked;

    private ExitSequence() {
    }

    /**
     * Notes that a signal (TERM, INT, HUP) ends this process: the steps that wait for others to
     * finish ({@link Step#DELIVER_TASKS}, {@link Step#DELIVER_PIPE_MESSAGES}) then do not wait, as a
     * Python process a signal ends does not.
     */
    public static void endingOnSignal() {
        onSignal = true;
    }

    /** Whether a signal ends this process. */
    public static boolean onSignal() {
        return onSignal;
    }

    /** Runs {@code action} at {@code step} when the JVM exits; actions of one step run in the order added. */
    public static void at(Step step, Runnable action) {
        LOCK.lock();
        try {
            ACTIONS.computeIfAbsent(step, s -> new ArrayList<>()).add(action);
            if (!hooked) {
                hooked = true;
                Runtime.getRuntime().addShutdownHook(new Thread(ExitSequence::run, "spindle-exit"));
            }
        } finally {
            LOCK.unlock();
        }
    }

    private static void run() {
        List<Runnable> ordered = new ArrayList<>();
        LOCK.lock();
        try {
            for (Step step : Step.values()) {
                ordered.addAll(ACTIONS.getOrDefault(step, List.of()));
            }
        } finally {
            LOCK.unlock();
        }
        for (Runnable action : ordered) {
            try {
                action.run();
            } catch (RuntimeException e) {
                // One step failing must not keep the others, the run directory's removal above all, from running.
                System.getLogger(ExitSequence.class.getName()).log(System.Logger.Level.WARNING,
                        "a step of the process layer's exit failed: " + e, e);
            }
        }
    }
}
