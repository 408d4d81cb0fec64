package dev.spindle.process;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The children this process started that do not die with it (non-daemon ones), as its exit sees
 * them: each must get the task its {@link Process#start} promised before this process may exit,
 * and while one runs, a pipe's messages for an end nobody has used yet may still be received (see
 * {@link PipeRelay}).
 */
final class OutlivingChildren {

    private static final Set<java.lang.Process> RUNNING = ConcurrentHashMap.newKeySet();
    private static final Set<CompletableFuture<Void>> TASKS_IN_FLIGHT = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean EXIT_HOOKED = new AtomicBoolean();

    private OutlivingChildren() {
    }

    /**
     * Tracks a started non-daemon child until it exits.
     *
     * @param handedOver completes once the child has its task, or can never get it
     */
    static void started(java.lang.Process child, CompletableFuture<Void> handedOver) {
        if (EXIT_HOOKED.compareAndSet(false, true)) {
            ExitSequence.at(ExitSequence.Step.DELIVER_TASKS, OutlivingChildren::awaitTasksHandedOver);
        }
        RUNNING.add(child);
        child.onExit().thenRun(() -> RUNNING.remove(child));
        TASKS_IN_FLIGHT.add(handedOver);
        handedOver.whenComplete((v, e) -> TASKS_IN_FLIGHT.remove(handedOver));
    }

    /** Whether such a child is still running. */
    static boolean anyRunning() {
        RUNNING.removeIf(p -> !p.isAlive());
        return !RUNNING.isEmpty();
    }

    /** At exit: waits, bounded by a child's time to connect, until every started task has reached its child. */
    private static void awaitTasksHandedOver() {
        try {
            CompletableFuture.allOf(TASKS_IN_FLIGHT.toArray(CompletableFuture[]::new))
                    .get(2 * ProcessHub.HELLO_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // A child that has not connected in that long is not coming; exit as asked.
        }
    }
}
