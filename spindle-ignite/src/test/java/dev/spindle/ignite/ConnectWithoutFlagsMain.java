package dev.spindle.ignite;

import java.nio.file.Path;

/** Calls {@link Cluster#connect} in a JVM started without Ignite's flags, and prints what it was told. */
public final class ConnectWithoutFlagsMain {

    private ConnectWithoutFlagsMain() {
    }

    public static void main(String[] args) throws Exception {
        try (Cluster c = Cluster.connect(ClusterSettings.builder(Path.of(args[0])).build())) {
            System.out.println("connected");
        } catch (MissingJvmFlagsException e) {
            System.out.println(e.getMessage());
            System.exit(3);
        }
    }
}
