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

    /**
     * Message {@code message} of connection {@code connection} is {@code size} bytes of this
     * alphabet from {@link #offset}: cheap to make and to check, and different for every message
     * so that a reply to the wrong message, or a shifted byte, is caught.
     */
    byte[] sentPattern() {
        return pattern(false);
    }

    /** The bytes the server should answer with: the sent pattern, upper-cased in upper mode. */
    byte[] expectedPattern() {
        return pattern(upperCase);
    }

    static int offset(int connection, long message) {
        return (int) ((connection + message) % 26);
    }

    private byte[] pattern(boolean upper) {
        byte[] p = new byte[26 + size];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) ((upper ? 'A' : 'a') + i % 26);
        }
        return p;
    }
}
