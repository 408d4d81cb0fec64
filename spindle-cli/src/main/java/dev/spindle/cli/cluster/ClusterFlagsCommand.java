package dev.spindle.cli.cluster;

import dev.spindle.ignite.IgniteJvm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code spindle cluster flags}: the JVM flags a cluster member needs, for a {@code java} command line of your own. */
@Command(name = "flags", mixinStandardHelpOptions = true,
        description = {"Prints the JVM flags every cluster member needs (Ignite opens JDK internals), on one line:",
                "  java $(./spindle cluster flags) -cp spindle.jar:my-app.jar com.example.Main"})
final class ClusterFlagsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println(String.join(" ", IgniteJvm.flags()));
        out.flush();
        return 0;
    }
}
