package dev.spindle.docs;

import org.junit.jupiter.api.Test;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code ```java cluster} blocks of {@code docs/cluster.md} compile against this module: they
 * need a cluster to run, which the walk-through starts and {@code ClusterPoolTest} stands in for.
 */
class ClusterDocumentationTest {

    @Test
    void theWalkThroughsJavaCompilesAgainstSpindleIgnite() throws Exception {
        Path root = DocumentationExamplesTest.projectRoot();
        List<JavaBlock> blocks = JavaBlock.in(root.resolve("docs/cluster.md"), "docs/cluster.md").stream()
                .filter(JavaBlock::cluster).toList();
        assertThat(blocks).as("the walk-through's program").isNotEmpty();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Path dir = Files.createTempDirectory("spindle-cluster-docs-");
        try {
            for (JavaBlock block : blocks) {
                ExampleProgram program = ExampleProgram.of(block, List.of(), ExampleProgram.DOCUMENTED_PORT);
                Path source = dir.resolve(program.className + ".java");
                Files.writeString(source, program.source);
                ByteArrayOutputStream errors = new ByteArrayOutputStream();
                List<String> args = new ArrayList<>(List.of("-d", dir.toString(), "-cp",
                        System.getProperty("java.class.path"), source.toString()));
                int exit = javac.run(null, null, errors, args.toArray(String[]::new));
                assertThat(exit).as(block.where() + ": " + errors.toString(StandardCharsets.UTF_8)).isZero();
            }
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
