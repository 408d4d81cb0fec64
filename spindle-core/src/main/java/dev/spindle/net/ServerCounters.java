package dev.spindle.net;

import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link ServerStats}; LongAdders because every connection thread bumps them. */
final class ServerCounters {
    final LongAdder active = new LongAdder();
    final LongAdder accepted = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder timedOut = new LongAdder();
    final LongAdder acceptFailures = new LongAdder();

    /** @param bufferedInput what the input budget holds now */
    ServerStats snapshot(long bufferedInput) {
        return new ServerStats(active.sum(), accepted.sum(), refused.sum(), bytesIn.sum(), bytesOut.sum(),
                errors.sum(), timedOut.sum(), acceptFailures.sum(), bufferedInput);
    }
}
