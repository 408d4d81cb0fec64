package dev.spindle.cli.demo;

import picocli.CommandLine.Command;

/** {@code spindle demo}: the seeds' classic experiments, run on the JVM. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run one of the seeds' experiments.",
        subcommands = {CpuVsIoDemo.class, PipeDemo.class, PoolDemo.class, ProducerConsumerDemo.class, TicketsDemo.class,
                TrafficLightDemo.class, DeadlockDemo.class, RaceDemo.class, IoModelsDemo.class})
public final class DemoCommand {
}
