package dev.spindle.cli.cluster;

import dev.spindle.cli.WholeNumberConverter;
import dev.spindle.ignite.ClusterCertificates;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code spindle cluster init DIR}: a certificate authority for a new cluster and its members' certificates. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Makes DIR: a certificate authority for a new cluster, a certificate for each node and one",
                "for clients, and a trust store. Only members with a certificate from it can join."})
final class ClusterInitCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "The directory to make (it must not hold an authority yet).")
    Path dir;

    @Option(names = "--nodes", paramLabel = "N", converter = WholeNumberConverter.Positive.class, defaultValue = "3",
            description = "Node certificates to issue: node-1 ... node-N (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Override
    public Integer call() throws Exception {
        List<String> members = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            members.add("node-" + i);
        }
        members.add("client");
        ClusterCertificates.init(dir, members);
        PrintWriter out = spec.commandLine().getOut();
        out.println("spindle cluster init: made " + dir + ": an authority (ca.p12, keep it off the nodes), a trust "
                + "store, and certificates for " + String.join(", ", members));
        out.println("  next: copy " + dir + " to each machine (without ca.p12), then on each");
        out.println("        ./spindle cluster node --config " + dir + " --identity node-1 --address HOST:47500 "
                + "--join HOST1:47500,HOST2:47500,...");
        out.flush();
        return 0;
    }
}
