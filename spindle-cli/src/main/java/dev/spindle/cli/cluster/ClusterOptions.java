package dev.spindle.cli.cluster;

import dev.spindle.ignite.ClusterSettings;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** Where the cluster's certificates are and how to reach it: the options {@code node} and {@code status} share. */
final class ClusterOptions {

    @Option(names = "--config", paramLabel = "DIR", defaultValue = "spindle-cluster",
            description = "The directory 'spindle cluster init' made (default: ${DEFAULT-VALUE}).")
    Path config;

    @Option(names = "--join", paramLabel = "HOST:PORT", split = ",",
            description = "Nodes to join through, HOST:PORT or HOST:PORT..PORT (default: 127.0.0.1:47500..47509).")
    List<String> join;

    @Option(names = "--allow", paramLabel = "PATTERN", split = ",",
            description = "Packages (com.example.*) and classes of yours that tasks may carry; the same on every member.")
    List<String> allow;

    ClusterSettings.Builder settings() {
        ClusterSettings.Builder b = ClusterSettings.builder(config);
        if (join != null) {
            b.join(join);
        }
        if (allow != null) {
            b.allow(allow.toArray(String[]::new));
        }
        return b;
    }
}
