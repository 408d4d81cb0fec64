package dev.spindle.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness behind {@link DocumentationExamplesTest} catches broken examples, and says where. */
class DocumentationHarnessTest {

    @TempDir
    Path dir;

    @Test
    void aTypoFailsWithJavacsDiagnosticAtItsPageLine() throws Exception {
        List<JavaBlock> blocks = page("""
                # A page

                ```java
                import java.util.List;

                List<String> names = List.of("a");
                System.out.println(names.sizee()); // 1
                ```
                """);
        assertThatThrownBy(() -> ExampleCheck.runs(blocks.get(0), List.of()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("page.md:3: the example does not compile")
                .hasMessageContaining("page.md:7: error: cannot find symbol");
    }

    @Test
    void anExceptionFailsWithTheChildsStandardError() throws Exception {
        List<JavaBlock> blocks = page("""
                ```java
                throw new IllegalStateException("planted in the page");
                ```
                """);
        assertThatThrownBy(() -> ExampleCheck.runs(blocks.get(0), List.of()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("page.md:1: the example exited with code 1")
                .hasMessageContaining("java.lang.IllegalStateException: planted in the page");
    }

    @Test
    void outputOtherThanTheDocumentedFails() throws Exception {
        List<JavaBlock> blocks = page("""
                ```java
                System.out.println("one"); // two
                ```
                """);
        assertThatThrownBy(() -> ExampleCheck.runs(blocks.get(0), List.of()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("did not print the documented line \"two\"")
                .hasMessageContaining("--- standard output ---\none");
    }

    @Test
    void aSnippetSeesTheImportsAboveItAndAFullClassCompilesAsWritten() throws Exception {
        List<JavaBlock> blocks = page("""
                ```java
                import java.util.List;

                System.out.println(List.of(4, 2).size()); // 2
                ```
                then, without imports:
                ```java
                System.out.println(List.of(4, 2).get(0)); // 4
                ```
                and a whole class:
                ```java
                public class Whole {
                    public static void main(String[] args) {
                        System.out.println("whole"); // whole
                    }
                }
                ```
                """);
        assertThat(blocks).extracting(JavaBlock::fenceLine).containsExactly(1, 7, 11);
        ExampleCheck.runs(blocks.get(0), List.of());
        ExampleCheck.runs(blocks.get(1), ExampleProgram.importsOf(blocks.get(0)));
        assertThat(ExampleProgram.of(blocks.get(2), List.of(), ExampleProgram.DOCUMENTED_PORT).className)
                .isEqualTo("Whole");
        ExampleCheck.runs(blocks.get(2), List.of());
    }

    @Test
    void aServerThatDoesNotEchoFails() throws Exception {
        List<JavaBlock> blocks = page("""
                ```java
                import dev.spindle.net.*;

                try (StreamServer server = StreamServer.builder()
                        .bind("127.0.0.1", 9999)
                        .handler(connection -> connection.sendAll("no".getBytes()))
                        .open()) {
                    server.serveForever();
                }
                ```
                """);
        assertThatThrownBy(() -> ExampleCheck.serves(blocks.get(0), List.of()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("page.md:1: the example ")
                .hasMessageContaining(" instead of echoing ");
    }

    @Test
    void aSnippetEndsWhenTheTestJvmIsGone() throws Exception {
        List<JavaBlock> blocks = page("""
                ```java
                System.out.println("sleeping");
                Thread.sleep(Long.MAX_VALUE);
                ```
                """);
        ExampleProgram program = ExampleProgram.of(blocks.get(0), List.of(), ExampleProgram.DOCUMENTED_PORT);
        Path classes = Files.createDirectory(dir.resolve("classes"));
        String classPath = System.getProperty("java.class.path");
        program.compileInto(classes, classPath);
        try (ExampleJvm jvm = ExampleJvm.start(program, classes, classPath)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!jvm.stdout().contains("sleeping")) {
                assertThat(System.nanoTime() - deadline).as("waiting for the snippet to start").isNegative();
                Thread.sleep(20);
            }
            jvm.closeStandardInput();
            assertThat(jvm.awaitExit(Duration.ofSeconds(30))).hasValue(ExampleProgram.ORPHANED_EXIT);
        }
    }

    private List<JavaBlock> page(String markdown) throws Exception {
        Path file = dir.resolve("page.md");
        Files.writeString(file, markdown);
        return JavaBlock.in(file, "page.md");
    }
}
