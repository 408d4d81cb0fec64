package dev.spindle.process;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The pipe ends that go into a child's task while {@link Process#start} encodes it. Each is
 * reserved for the child as it is serialized ({@link PipeConnection}'s {@code writeReplace} asks),
 * so that from the child's start until it exits or closes its copy, the end counts as open, as a
 * Python child's inherited descriptor does; then the reservations are bound to the child's pid.
 *
 * <p>One collection per thread at a time; not thread-safe otherwise.
 */
final class PassedEnds implements AutoCloseable {

    private static final ThreadLocal<PassedEnds> ACTIVE = new ThreadLocal<>();

    private record Reservation(PipeEnd end, long number) {
    }

    private final List<Reservation> reservations = new ArrayList<>();

    private PassedEnds() {
    }

    /** Starts collecting the ends this thread serializes, until {@link #close}. */
    static PassedEnds collect() {
        PassedEnds passed = new PassedEnds();
        ACTIVE.set(passed);
        return passed;
    }

    /**
     * Reserves {@code end} if this thread is encoding a child's task.
     *
     * @return the reservation's number for the copy to carry, or 0 when nothing is being collected
     */
    static long reserveIfPassing(PipeEnd end) throws IOException {
        PassedEnds passed = ACTIVE.get();
        if (passed == null) {
            return 0;
        }
        long number = end.reserve();
        if (number != 0) {
            passed.reservations.add(new Reservation(end, number));
        }
        return number;
    }

    /** Ties every reservation made to the life of the child {@code pid}. */
    void bindTo(long pid) throws IOException {
        for (Reservation r : reservations) {
            r.end().bind(r.number(), pid);
        }
    }

    /** Ends every reservation made: the child they were for never started. */
    void releaseAll() {
        for (Reservation r : reservations) {
            try {
                r.end().release(r.number());
            } catch (IOException e) {
                // The pipe's holder is gone, and the reservation with it.
            }
        }
    }

    /** Stops collecting; what was collected stays for {@link #bindTo} or {@link #releaseAll}. */
    @Override
    public void close() {
        ACTIVE.remove();
    }
}
