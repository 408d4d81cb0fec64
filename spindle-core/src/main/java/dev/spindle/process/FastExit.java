package dev.spindle.process;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The end of a child whose task has returned and whose JVM has nothing left that needs an orderly
 * shutdown: the shutdown hooks' work runs here, on this thread, and the JVM halts. A full exit
 * costs a child 300 ms and more: HotSpot waits that long for threads blocked in native code (the
 * link to the parent, the watch on standard input), which a child always has. Python's children
 * end the same way: {@code os._exit} once the target has returned and the non-daemon threads have
 * ended.
 *
 * <p>The JVM exits in full, as any other, when the task left a non-daemon thread running, added a
 * shutdown hook of its own (or a library did), or asked for a file to be deleted on exit; when the
 * JVM is to write the children's class-data-sharing archive as it exits; or when this cannot tell
 * (the child JVM was not given the access it reads that with).
 */
final class FastExit {

    /**
     * The hooks whose work this does itself: Spindle's own in a child (the outcome report, the
     * watch on stdin, the exit steps), and java.util.logging's, which closes the log handlers.
     */
    private static final List<String> KNOWN_HOOKS = List.of("spindle-child-exit", "spindle-parent-watch-stop",
            "spindle-exit", "Logging-Cleaner");

    /** The class-data-sharing archive a child was started with, as {@link ChildJvm#command} names it. */
    static final String ARCHIVE_PROPERTY = "spindle.child.archive";

    private static final Class<?> HOOKS_HOLDER;
    private static final Field HOOKS;
    private static final Field FILES_TO_DELETE;

    static {
        // Looked up once, when a standby warms up, not when its task has returned.
        Class<?> holder = null;
        Field hooks = null;
        Field files = null;
        try {
            holder = Class.forName("java.lang.ApplicationShutdownHooks");
            hooks = holder.getDeclaredField("hooks");
            hooks.setAccessible(true);
            files = Class.forName("java.io.DeleteOnExitHook").getDeclaredField("files");
            files.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            hooks = null; // cannot tell: children exit in full
        }
        HOOKS_HOLDER = holder;
        HOOKS = hooks;
        FILES_TO_DELETE = files;
    }

    private FastExit() {
    }

    /** Loads this class and what it reads, for a standby child to have it ready. */
    static void prepare() {
        knownHooksOnly();
    }

    /**
     * Halts with status 0 when nothing needs the shutdown; returns otherwise.
     *
     * @param link the connection to the parent, closed before the halt: its reader waits in native
     *             code, which the halt would wait up to 300 ms for, as a full exit would
     */
    static void ifNothingNeedsTheShutdown(AutoCloseable link) {
        List<Thread> hooks = knownHooksOnly();
        if (hooks == null || othersRunning() || filesToDelete() || archiveToWrite()) {
            return;
        }
        // The hooks' own work, in order, on this thread: they are not started, so run() runs their body here.
        // That also closes the watch on standard input, whose reader waits in native code too.
        hooks.sort(Comparator.comparingInt(h -> KNOWN_HOOKS.indexOf(h.getName())));
        for (Thread hook : hooks) {
            hook.run();
        }
        try {
            link.close();
        } catch (Exception e) {
            // halting anyway
        }
        awaitSpindleThreads();
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(0);
    }

    /** Waits, at most 100 ms in all, for the layer's own threads to leave (they leave native code as they do). */
    private static void awaitSpindleThreads() {
        long deadline = System.nanoTime() + 100_000_000L;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            long left = deadline - System.nanoTime();
            if (t != Thread.currentThread() && t.getName().startsWith("spindle-") && left > 0) {
                try {
                    t.join(java.time.Duration.ofNanos(left));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static boolean othersRunning() {
        Thread me = Thread.currentThread();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t != me && t.isAlive() && !t.isDaemon() && !t.getName().equals("DestroyJavaVM")) {
                return true;
            }
        }
        return false;
    }

    /** The registered shutdown hooks, when every one is known; null when one is not, or this cannot tell. */
    private static List<Thread> knownHooksOnly() {
        if (HOOKS == null) {
            return null;
        }
        try {
            List<Thread> hooks = new ArrayList<>();
            synchronized (HOOKS_HOLDER) { // the JDK guards the map with this monitor; nothing here blocks
                Map<?, ?> registered = (Map<?, ?>) HOOKS.get(null);
                if (registered == null) {
                    return null; // the shutdown has begun
                }
                for (Object hook : registered.keySet()) {
                    hooks.add((Thread) hook);
                }
            }
            for (Thread hook : hooks) {
                if (!KNOWN_HOOKS.contains(hook.getName())) {
                    return null;
                }
            }
            return hooks;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // cannot tell: exit in full
        }
    }

    /**
     * Whether this JVM is to write its class-data-sharing archive as it exits (AutoCreateSharedArchive,
     * {@link ChildJvm#command}): the archive, named after this build's jars, is not there yet. A
     * halt would skip the writing, and every later child would start without it.
     */
    private static boolean archiveToWrite() {
        String archive = System.getProperty(ARCHIVE_PROPERTY);
        return archive != null && !Files.isRegularFile(Path.of(archive));
    }

    private static boolean filesToDelete() {
        try {
            Object set = FILES_TO_DELETE == null ? null : FILES_TO_DELETE.get(null);
            return set == null || !((Collection<?>) set).isEmpty();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return true;
        }
    }
}
