package dev.spindle.cli;

import org.HdrHistogram.Recorder;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every connection of one {@code spindle load} run shares: the phase, the latency recorder
 * and the counters. Thread-safe: the loops' threads record while the command's thread reads.
 */
final class LoadRun {

    enum Phase { WARMUP, MEASURE, DRAIN }

    final int size;
    final int depth;
    final boolean upperCase;
    /** Latencies in nanoseconds; wait-free for the recording loops. */
    final Recorder latencies = new Recorder(3);
    /** Messages completed while measuring. */
    final LongAdder messages = new LongAdder();
    /** Messages completed in any phase, for the progress bar. */
    final LongAdder allMessages = new LongAdder();
    final LongAdder inFlight = new LongAdder();
    final LongAdder mismatches = new LongAdder();
    final LongAdder failedConnections = new LongAdder();
    final AtomicReference<String> firstProblem = new AtomicReference<>();
    private volatile Phase phase = Phase.WARMUP;

    LoadRun(int size, int depth, boolean upperCase) {
        this.size = size;
        this.depth = depth;
        this.upperCase = upperCase;
    }

    Phase phase() {
        return phase;
    }

    void phase(Phase next) {
        phase = next;
    }

    boolean sending() {
        return phase != Phase.DRAIN;
    }

    void completed(long latencyNanos) {
        allMessages.increment();
        if (phase == Phase.MEASURE) {
            latencies.recordValue(latencyNanos);
            messages.increment();
        }
    }

    void problem(String what) {
        firstProblem.compareAndSet(null, what);
    }

    /** The byte at {@code index} of message {@code message} on connection {@code connection}, as sent. */
    static byte sent(int connection, long message, int index) {
        return (byte) ('a' + (int) ((connection + message + index) % 26));
    }

    /** The byte the server should answer with for {@link #sent}. */
    byte expected(int connection, long message, int index) {
        byte b = sent(connection, message, index);
        return upperCase ? (byte) (b - ('a' - 'A')) : b;
    }
}
