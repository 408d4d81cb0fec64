package dev.spindle.cli.cluster;

import picocli.CommandLine.Command;

/** {@code spindle cluster}: the pool, executor and shared objects on an Apache Ignite cluster. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"A Spindle cluster: nodes that run a program's pool tasks and hold its shared objects.",
                "Start with 'spindle cluster init DIR', then 'spindle cluster node' on each machine."},
        subcommands = {ClusterInitCommand.class, ClusterNodeCommand.class, ClusterStatusCommand.class,
                ClusterFlagsCommand.class})
public final class ClusterCommand {
}
