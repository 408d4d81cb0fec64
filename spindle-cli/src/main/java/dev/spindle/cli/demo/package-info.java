/**
 * {@code spindle demo}: the seeds' experiments, each a subcommand that ends by itself and says
 * what it showed in one closing sentence. Start at {@link dev.spindle.cli.demo.DemoCommand}.
 * Threads and I/O run in this JVM ({@code traffic-light}, {@code deadlock}, {@code race},
 * {@code io-models}); the multiprocessing ones start child JVMs ({@code cpu-vs-io}, {@code pipe},
 * {@code pool}, {@code producer-consumer}, {@code tickets}).
 */
package dev.spindle.cli.demo;
