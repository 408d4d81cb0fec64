package dev.spindle.cli.cluster;

import dev.spindle.ignite.ClusterMember;
import dev.spindle.ignite.ClusterNode;
import dev.spindle.ignite.ClusterSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code spindle cluster node}: a server node, until Ctrl-C. */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = {"Runs a server node of the cluster until Ctrl-C: it runs tasks and holds shared objects.",
                "Tasks' classes must be on its class path."})
final class ClusterNodeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Option(names = "--identity", paramLabel = "NAME", defaultValue = "node-1",
            description = "This node's name: its certificate is DIR/NAME.p12 (default: ${DEFAULT-VALUE}).")
    String identity;

    @Option(names = "--address", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:47500",
            description = "Where this node listens for the others (default: ${DEFAULT-VALUE}); it also takes PORT+100.")
    String address;

    @Override
    public Integer call() throws Exception {
        ClusterSettings settings = cluster.settings().identity(identity).address(address).build();
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        try (ClusterNode node = ClusterNode.start(settings)) {
            out.println("spindle cluster node: " + identity + " listening on " + address + "; members:");
            for (ClusterMember m : node.members()) {
                out.println("  " + ClusterStatusCommand.describe(m));
            }
            out.println("  stop it: Ctrl-C (or kill -TERM " + ProcessHandle.current().pid() + ")");
            out.flush();
            stop.await();
            out.println("spindle cluster node: " + identity + " leaving the cluster");
            out.flush();
        }
        return 0;
    }
}
