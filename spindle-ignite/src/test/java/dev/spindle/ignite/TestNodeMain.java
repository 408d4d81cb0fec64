package dev.spindle.ignite;

import java.nio.file.Path;
import java.util.List;

/**
 * A cluster node in a JVM of its own, for the tests: {@code DIR IDENTITY ADDRESS JOIN}. Prints
 * {@code joined N} once it is in, and leaves when its stdin closes (or it is killed).
 */
public final class TestNodeMain {

    private TestNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        ClusterSettings settings = ClusterSettings.builder(Path.of(args[0])).identity(args[1]).address(args[2])
                .join(List.of(args[3].split(","))).allow("org.example.allowed.*").build();
        try (ClusterNode node = ClusterNode.start(settings)) {
            System.out.println("joined " + node.members().size());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the test closes our stdin
            }
        }
        System.exit(0);
    }
}
