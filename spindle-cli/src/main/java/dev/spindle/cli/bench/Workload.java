package dev.spindle.cli.bench;

import java.util.List;

/** One load shape: how many connections, how large a message, how many in flight on each. */
record Workload(String name, int connections, int size, int depth) {

    /** The benchmark's workloads, numbered from 1 on the command line. */
    static final List<Workload> ALL = List.of(
            new Workload("ping-pong 64 B × 100", 100, 64, 1),
            new Workload("ping-pong 64 B × 1000", 1000, 64, 1),
            new Workload("ping-pong 64 B × 10000", 10_000, 64, 1),
            new Workload("64 B, 16 in flight × 1000", 1000, 64, 16),
            new Workload("16 KiB streaming × 100", 100, 16 * 1024, 4));
}
