package dev.spindle.cli.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The servers the benchmark can compare and how each is started: every Spindle model through
 * {@code spindle serve}, as a user runs it, and Netty's echo server on NIO and on native epoll
 * from the benchmark module's jar ({@code spindle-bench}), where it has been built.
 */
final class Contenders {

    /** Spindle's models, in table order; sync and pool are left out, as they serve a fixed number of connections. */
    static final List<String> SPINDLE = List.of("thread", "virtual", "event-loop", "async", "process");
    static final List<String> NETTY = List.of("netty-nio", "netty-epoll");
    /** The peer the table's ratios are to. */
    static final String BASELINE = "netty-epoll";

    private static final String NETTY_MAIN = "dev.spindle.bench.EchoServers";
    private static final String BUILD_PEERS = "./mvnw -q package -DskipTests -pl spindle-bench -am";

    private final String java = ProcessHandle.current().info().command().orElse("java");
    private final String classPath = System.getProperty("java.class.path");
    private final Optional<String> nettyClassPath;

    private Contenders(Optional<String> nettyClassPath) {
        this.nettyClassPath = nettyClassPath;
    }

    /**
     * Finds Netty's servers: in {@code peersJar} when given, on this JVM's class path (a run from
     * the benchmark jar), or in {@code spindle-bench/target/spindle-bench.jar} beside this
     * checkout's {@code spindle-cli}. Without them, only Spindle's models are run.
     */
    static Contenders find(Path peersJar) {
        if (peersJar != null) {
            return new Contenders(Optional.of(peersJar.toString()));
        }
        if (Contenders.class.getClassLoader().getResource(NETTY_MAIN.replace('.', '/') + ".class") != null) {
            return new Contenders(Optional.of(System.getProperty("java.class.path")));
        }
        return new Contenders(besideThisCheckout());
    }

    private static Optional<String> besideThisCheckout() {
        try {
            // .../spindle-cli/target/spindle.jar or .../spindle-cli/target/classes
            Path here = Path.of(Contenders.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path root = here.getParent().getParent().getParent();
            Path jar = root.resolve("spindle-bench/target/spindle-bench.jar");
            return Files.isRegularFile(jar) ? Optional.of(jar.toString()) : Optional.empty();
        } catch (Exception e) {
            return Optional.empty(); // not run from a checkout
        }
    }

    /** The servers that can run here, in table order. */
    List<String> available() {
        List<String> names = new ArrayList<>(SPINDLE);
        if (nettyClassPath.isPresent()) {
            names.addAll(NETTY);
        }
        return names;
    }

    /** Why {@code name} cannot run here, or empty when it can. */
    Optional<String> whyNot(String name) {
        if (SPINDLE.contains(name)) {
            return Optional.empty();
        }
        if (NETTY.contains(name)) {
            return nettyClassPath.isPresent() ? Optional.empty() : Optional.of(name + " comes from the benchmark module, "
                    + "which is not built: run '" + BUILD_PEERS + "' in the checkout, or give --peers JAR");
        }
        return Optional.of("no server is called '" + name + "'; choose from " + String.join(", ", SPINDLE) + ", "
                + String.join(", ", NETTY));
    }

    boolean hasNetty() {
        return nettyClassPath.isPresent();
    }

    /** The command that starts {@code name} on an ephemeral port of 127.0.0.1 and prints where it listens. */
    List<String> serverCommand(String name) {
        if (NETTY.contains(name)) {
            return List.of(java, "-Xmx2g", "-cp", nettyClassPath.orElseThrow(), NETTY_MAIN, name, "0");
        }
        return List.of(java, "-Xmx2g", "-cp", classPath, "dev.spindle.cli.Spindle", "serve", "--host", "127.0.0.1",
                "--port", "0", "--model", name, "--grace", "0s");
    }

    /** {@code spindle load} with {@code arguments}, from this JVM's own class path. */
    List<String> loadCommand(List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(java, "-Xmx2g", "-cp", classPath, "dev.spindle.cli.Spindle", "load"));
        command.addAll(arguments);
        return command;
    }
}
