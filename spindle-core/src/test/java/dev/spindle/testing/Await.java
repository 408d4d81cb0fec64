package dev.spindle.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Waits for a condition that another thread or process makes true. Bounded, so a broken server
 * or child fails the test with what it was waiting for, instead of hanging it; never a verdict on
 * how long something took.
 */
public final class Await {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    private Await() {
    }

    /** Returns once {@code condition} holds; fails the test if it does not within a minute. */
    public static void until(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + LIMIT.toSeconds() + " s waiting until " + what);
            }
            Thread.sleep(5);
        }
    }

    /**
     * Returns once {@code path} exists and is not empty: how a child process says it has got
     * somewhere. Not empty, because a file is created before it is written, and a reader in
     * between would see nothing.
     */
    public static void untilExists(Path path) throws Exception {
        until(path + " exists", () -> Files.exists(path) && Files.size(path) > 0);
    }
}
