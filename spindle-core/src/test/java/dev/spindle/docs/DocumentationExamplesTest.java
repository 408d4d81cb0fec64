package dev.spindle.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code ```java} block of {@code README.md} and {@code docs/*.md} compiles and runs, one
 * test per block named {@code page:line}, so that a documented example cannot break unnoticed.
 * {@link ExampleProgram} says how a block becomes a program, {@link ExampleCheck} how each kind
 * of block is run and what it must do.
 */
class DocumentationExamplesTest {

    @TestFactory
    Stream<DynamicTest> everyJavaBlockOfTheDocumentationCompilesAndRuns() throws IOException {
        Path root = projectRoot();
        List<Path> pages = new ArrayList<>();
        pages.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Path page : pages) {
            tests.addAll(testsOf(page, root.relativize(page).toString()));
        }
        assertThat(tests).as("the README's Java blocks, found by the harness").isNotEmpty();
        return tests.stream();
    }

    private static List<DynamicTest> testsOf(Path file, String page) throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        List<String> importsAbove = new ArrayList<>();
        JavaBlock server = null;
        List<String> serverImports = List.of();
        for (JavaBlock block : JavaBlock.in(file, page)) {
            if (block.cluster()) {
                continue; // spindle-ignite's ClusterDocumentationTest compiles it
            }
            List<String> imports = List.copyOf(importsAbove);
            URI source = URI.create(file.toUri() + "?line=" + block.fenceLine());
            if (block.contains("serveForever()")) {
                server = block;
                serverImports = imports;
                tests.add(DynamicTest.dynamicTest(block.where(), source, () -> ExampleCheck.serves(block, imports)));
            } else if (block.contains(Integer.toString(ExampleProgram.DOCUMENTED_PORT))) {
                if (server == null) {
                    throw new IllegalStateException(block.where() + " talks to port " + ExampleProgram.DOCUMENTED_PORT
                            + " but no block above it on its page serves there");
                }
                JavaBlock itsServer = server;
                List<String> itsServerImports = serverImports;
                tests.add(DynamicTest.dynamicTest(block.where() + " against " + server.where(), source,
                        () -> ExampleCheck.answers(block, imports, itsServer, itsServerImports)));
            } else {
                tests.add(DynamicTest.dynamicTest(block.where(), source, () -> ExampleCheck.runs(block, imports)));
            }
            importsAbove.addAll(ExampleProgram.importsOf(block));
        }
        return tests;
    }

    /** The checkout's root: the nearest directory up from here with the README and the Maven wrapper. */
    static Path projectRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isRegularFile(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no README.md beside an mvnw above " + Path.of("").toAbsolutePath());
    }
}
