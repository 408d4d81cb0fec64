package dev.spindle.process;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waits for a condition that another thread or process makes true; bounded, so a failure fails the test instead of hanging it. */
final class Await {
    private Await() {
    }

    static void until(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.call()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(5);
        }
    }
}
