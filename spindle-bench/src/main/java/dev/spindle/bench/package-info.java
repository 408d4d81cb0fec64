/**
 * Spindle's speed, measured next to its peers on the same machine in the same run.
 *
 * <p>{@code spindle bench} (in {@code spindle-cli}; {@code e2e} runs it from this module's jar)
 * runs every server model beside Netty's echo servers ({@link dev.spindle.bench.EchoServers})
 * under the same load; {@link dev.spindle.bench.ProcessBench}
 * times processes and pipes against Python's {@code multiprocessing};
 * {@link dev.spindle.bench.FramingBenchmark} is the JMH micro-benchmark of the serializers. Results and how
 * they were taken are in {@code docs/benchmarks.md}.
 */
package dev.spindle.bench;
