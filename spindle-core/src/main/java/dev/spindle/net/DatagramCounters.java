package dev.spindle.net;

import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link DatagramStats}. */
final class DatagramCounters {
    final LongAdder received = new LongAdder();
    final LongAdder sent = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder truncated = new LongAdder();
    final LongAdder dropped = new LongAdder();

    DatagramStats snapshot(long inFlight) {
        return new DatagramStats(received.sum(), sent.sum(), bytesIn.sum(), bytesOut.sum(), errors.sum(),
                truncated.sum(), dropped.sum(), inFlight);
    }
}
