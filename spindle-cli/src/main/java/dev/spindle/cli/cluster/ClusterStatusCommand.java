package dev.spindle.cli.cluster;

import dev.spindle.ignite.Cluster;
import dev.spindle.ignite.ClusterMember;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code spindle cluster status}: joins as a client and lists the members. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Joins the cluster as a client and lists its members: name, address, server or client.")
final class ClusterStatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Option(names = "--identity", paramLabel = "NAME", defaultValue = "client",
            description = "The certificate to join with: DIR/NAME.p12 (default: ${DEFAULT-VALUE}).")
    String identity;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Cluster c = Cluster.connect(cluster.settings().identity(identity).build())) {
            List<ClusterMember> members = c.members();
            long servers = members.stream().filter(ClusterMember::server).count();
            out.println(servers + " node" + (servers == 1 ? "" : "s") + " and " + (members.size() - servers)
                    + " client" + (members.size() - servers == 1 ? "" : "s") + ":");
            for (ClusterMember m : members) {
                out.println("  " + describe(m));
            }
        }
        out.flush();
        return 0;
    }

    static String describe(ClusterMember m) {
        return String.format("%-12s %-22s %s", m.identity(), m.server() ? m.address() : "-", m.server() ? "node" : "client");
    }
}
