package dev.spindle.process;

import dev.spindle.process.wire.ExitSequence;
import dev.spindle.process.wire.Hub;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The children this process started, as its exit sees them. A non-daemon child must get the task
 * its {@link Process#start} promised before this process may exit, and while one runs, a pipe's
 * messages for an end nobody has used yet may still be received (see {@link PipeRelay}). A daemon
 * child dies with this process, so nothing waits for it.
 */
final class Children {

    private static final Set<java.lang.Process> OUTLIVING = ConcurrentHashMap.newKeySet();
    private static final Set<Long> DAEMONS = ConcurrentHashMap.newKeySet();
    private static final Set<CompletableFuture<Void>> TASKS_IN_FLIGHT = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean EXIT_HOOKED = new AtomicBoolean();

    private Children() {
    }

    /**
     * Tracks a started child until it exits.
     *
     * @param handedOver completes once the child has its task, or can never get it
     */
    static void started(java.lang.Process child, boolean daemon, CompletableFuture<Void> handedOver) {
        if (daemon) {
            DAEMONS.add(child.pid());
            child.onExit().thenRun(() -> DAEMONS.remove(child.pid()));
            return;
        }
        if (EXIT_HOOKED.compareAndSet(false, true)) {
            ExitSequence.at(ExitSequence.Step.DELIVER_TASKS, Children::awaitTasksHandedOver);
        }
        OUTLIVING.add(child);
        child.onExit().thenRun(() -> OUTLIVING.remove(child));
        TASKS_IN_FLIGHT.add(handedOver);
        handedOver.whenComplete((v, e) -> TASKS_IN_FLIGHT.remove(handedOver));
    }

    /** Whether {@code pid} is a running daemon child of this process. */
    static boolean isDaemon(long pid) {
        return DAEMONS.contains(pid);
    }

    /** Whether a non-daemon child is still running. */
    static boolean anyOutlivingRunning() {
        OUTLIVING.removeIf(p -> !p.isAlive());
        return !OUTLIVING.isEmpty();
    }

    /** At exit: waits, bounded by a child's time to connect, until every started task has reached its child. */
    private static void awaitTasksHandedOver() {
        if (ExitSequence.onSignal()) {
            return;
        }
        try {
            CompletableFuture.allOf(TASKS_IN_FLIGHT.toArray(CompletableFuture[]::new))
                    .get(2 * Hub.HELLO_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // A child that has not connected in that long is not coming; exit as asked.
        }
    }
}
