package dev.spindle.cli.bench;

/**
 * One run of one server under one workload: what the load saw and what the server's process tree
 * spent. {@code clean} is false when a byte came back wrong or a connection was lost.
 */
record Sample(double messagesPerSecond, double p99Micros, double serverCpuPercent, long peakRssKiB,
              boolean clean, long minPerConnection) {

    /** A run that did not finish in time: it counts as no throughput and as not clean. */
    static Sample failed() {
        return new Sample(0, 0, 0, 0, false, 0);
    }

    /** Server CPU per message, in microseconds; zero when nothing was served. */
    double cpuMicrosPerMessage() {
        return messagesPerSecond <= 0 ? 0 : serverCpuPercent / 100 * 1e6 / messagesPerSecond;
    }
}
