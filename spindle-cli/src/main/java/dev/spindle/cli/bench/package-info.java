/**
 * {@code spindle bench}: the end-to-end benchmark as a command. Start at
 * {@link dev.spindle.cli.bench.BenchCommand}; {@code Contenders} knows which servers there are and
 * how each is started, {@code RunningServer} is one of them in a pinned JVM of its own,
 * {@code EndToEndRun} drives {@code spindle load} against it, and {@code BenchReport} turns the
 * samples into the table and the charts.
 */
package dev.spindle.cli.bench;
