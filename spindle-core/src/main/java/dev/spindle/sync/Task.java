package dev.spindle.sync;

import dev.spindle.internal.Deadline;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * One task of a {@link TaskGroup}, on a virtual thread of its own: gevent's {@code Greenlet},
 * with {@code value}, {@code exception} and {@code ready()}. Thread-safe.
 */
public final class Task<T> {

    /** Where a task is. */
    public enum State {
        /** Started, not finished. */
        RUNNING,
        /** Returned a value. */
        SUCCEEDED,
        /** Threw. */
        FAILED,
        /** Stopped by its group (a sibling failed, or the group closed) before it finished. */
        CANCELLED
    }

    private final String name;
    final CompletableFuture<T> result = new CompletableFuture<>();
    volatile Thread thread;

    Task(String name) {
        this.name = name;
    }

    /** The task's name, its thread's too: {@code <group>-<n>}. */
    public String name() {
        return name;
    }

    /** Where the task is now. */
    public State state() {
        if (!result.isDone()) {
            return State.RUNNING;
        }
        if (result.isCancelled()) {
            return State.CANCELLED;
        }
        return result.isCompletedExceptionally() ? State.FAILED : State.SUCCEEDED;
    }

    /** Whether it has finished, however ({@code Greenlet.ready()}). */
    public boolean isDone() {
        return result.isDone();
    }

    /** What it returned, once it has succeeded ({@code Greenlet.value}); empty otherwise. */
    public Optional<T> value() {
        return state() == State.SUCCEEDED ? Optional.ofNullable(result.getNow(null)) : Optional.empty();
    }

    /** What it threw, once it has failed ({@code Greenlet.exception}); empty otherwise. */
    public Optional<Throwable> exception() {
        if (state() != State.FAILED) {
            return Optional.empty();
        }
        try {
            result.join();
            return Optional.empty();
        } catch (java.util.concurrent.CompletionException e) {
            return Optional.of(e.getCause());
        }
    }

    /**
     * Waits up to {@code timeout} for the task and returns its value ({@code Greenlet.get(timeout)}).
     * Zero or negative means do not wait.
     *
     * @throws ExecutionException when it failed, with what it threw as the cause
     * @throws CancellationException when it was cancelled
     * @throws TimeoutException when it had not finished in time
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public T get(Duration timeout) throws ExecutionException, TimeoutException, InterruptedException {
        return Deadline.after(timeout).get(result);
    }

    @Override
    public String toString() {
        return name + " (" + state() + ")";
    }
}
