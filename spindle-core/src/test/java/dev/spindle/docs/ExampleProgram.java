package dev.spindle.docs;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * A {@link JavaBlock} made into a program: a compilation unit javac accepts, with every line it
 * took from the page still pointing at that page line.
 *
 * <p>A block that declares a top-level type is a compilation unit already and compiles as written;
 * its class with {@code main} is the public one (else the first). Any other block is a snippet:
 * its leading {@code import} lines stay imports, the rest becomes the body of
 * {@code public static void main(String[] args) throws Exception} in a class named after the
 * page and line. A snippet also sees the imports of the blocks above it on the same page, as its
 * reader does ("the same server, non-blocking" needs the first block's {@code dev.spindle.net.*}).
 *
 * <p>A snippet first starts a daemon thread that halts it when its standard input ends, which
 * happens when the test JVM is gone however it went: a server block never outlives a crashed or
 * killed build. (A block that is a whole compilation unit runs as written, without it.)
 *
 * <p>The documented port, {@value #DOCUMENTED_PORT}, is replaced by the port the harness chose,
 * so that a build never depends on that port being free.
 *
 * <p>A line {@code System.out.println(...); // text} documents its output: {@code text}, up to a
 * {@code ;}, is expected as a line of the program's standard output, in page order.
 */
final class ExampleProgram {

    /** The port the pages use for their servers and clients. */
    static final int DOCUMENTED_PORT = 9999;

    private static final Pattern TOP_LEVEL_TYPE = Pattern.compile(
            "^(public\\s+)?(?:(?:final|abstract|sealed|non-sealed|strictfp)\\s+)*(?:class|record|interface|enum)\\s+([A-Za-z_$][\\w$]*)");
    private static final Pattern IMPORT = Pattern.compile("^\\s*import\\s+(static\\s+)?([\\w$.]+?)(\\.\\*)?\\s*;\\s*$");
    private static final Pattern DOCUMENTED_OUTPUT = Pattern.compile("System\\.out\\.println\\(.*\\);\\s*//\\s*([^;]+)");
    private static final Pattern PORT = Pattern.compile("\\b" + DOCUMENTED_PORT + "\\b");
    /** The exit code of a snippet whose test JVM went away. */
    static final int ORPHANED_EXIT = 137;
    /** First statement of every snippet: standard input ends exactly when the test JVM is gone, and so does the snippet. */
    private static final String PARENT_WATCH = "Thread.ofPlatform().daemon().name(\"docs-harness-parent-watch\").start(() -> {"
            + " try { while (System.in.read() >= 0) { } } catch (java.io.IOException gone) { }"
            + " Runtime.getRuntime().halt(" + ORPHANED_EXIT + "); });";

    final JavaBlock block;
    final String className;
    final String source;
    final List<String> documentedOutput;
    /** For each line of {@link #source}, the page line it came from, or 0 for a line the harness wrote. */
    private final int[] pageLines;

    private ExampleProgram(JavaBlock block, String className, List<String> lines, List<Integer> pageLines) {
        this.block = block;
        this.className = className;
        this.source = String.join("\n", lines) + "\n";
        this.pageLines = pageLines.stream().mapToInt(Integer::intValue).toArray();
        List<String> output = new ArrayList<>();
        for (String line : block.lines()) {
            Matcher m = DOCUMENTED_OUTPUT.matcher(line);
            if (m.find()) {
                output.add(m.group(1).strip());
            }
        }
        this.documentedOutput = List.copyOf(output);
    }

    /**
     * The program of {@code block}, its documented port replaced by {@code port}.
     *
     * @param inheritedImports the import lines of the blocks above it on its page
     */
    static ExampleProgram of(JavaBlock block, List<String> inheritedImports, int port) {
        List<String> written = block.lines().stream()
                .map(line -> PORT.matcher(line).replaceAll(Integer.toString(port)))
                .toList();
        String declared = null;
        for (String line : written) {
            Matcher m = TOP_LEVEL_TYPE.matcher(line);
            if (m.find() && (declared == null || m.group(1) != null)) {
                declared = m.group(2);
            }
        }
        List<Integer> lineMap = new ArrayList<>();
        if (declared != null) {
            for (int i = 0; i < written.size(); i++) {
                lineMap.add(block.pageLine(i));
            }
            return new ExampleProgram(block, declared, written, lineMap);
        }
        String name = "Example_" + block.page().replaceAll("[^A-Za-z0-9]", "_") + "_L" + block.fenceLine();
        List<String> lines = new ArrayList<>();
        int body = importCount(written);
        for (int i = 0; i < body; i++) {
            lines.add(written.get(i));
            lineMap.add(block.pageLine(i));
        }
        for (String inherited : notShadowed(inheritedImports, written.subList(0, body))) {
            lines.add(inherited);
            lineMap.add(0);
        }
        lines.add("public class " + name + " {");
        lines.add("public static void main(String[] args) throws Exception {");
        lines.add(PARENT_WATCH);
        lineMap.add(0);
        lineMap.add(0);
        lineMap.add(0);
        for (int i = body; i < written.size(); i++) {
            lines.add(written.get(i));
            lineMap.add(block.pageLine(i));
        }
        lines.add("}");
        lines.add("}");
        lineMap.add(0);
        lineMap.add(0);
        return new ExampleProgram(block, name, lines, lineMap);
    }

    /** The block's leading import lines, which the blocks below it on the page inherit. */
    static List<String> importsOf(JavaBlock block) {
        return block.lines().subList(0, importCount(block.lines())).stream()
                .filter(line -> IMPORT.matcher(line).matches())
                .map(String::strip)
                .toList();
    }

    /** How many leading lines are imports or blank. */
    private static int importCount(List<String> lines) {
        int n = 0;
        while (n < lines.size() && (lines.get(n).isBlank() || IMPORT.matcher(lines.get(n)).matches())) {
            n++;
        }
        return n;
    }

    /** The inherited imports the block's own imports neither repeat nor shadow (same simple name, other package). */
    private static Set<String> notShadowed(List<String> inherited, List<String> own) {
        Set<String> ownLines = new LinkedHashSet<>();
        Set<String> ownSingleNames = new LinkedHashSet<>();
        for (String line : own) {
            Matcher m = IMPORT.matcher(line);
            if (m.matches()) {
                ownLines.add(line.strip());
                if (m.group(3) == null) {
                    ownSingleNames.add(simpleName(m));
                }
            }
        }
        Set<String> kept = new LinkedHashSet<>();
        for (String line : inherited) {
            Matcher m = IMPORT.matcher(line);
            boolean singleType = m.matches() && m.group(3) == null;
            if (!ownLines.contains(line) && !(singleType && ownSingleNames.contains(simpleName(m)))) {
                kept.add(line);
            }
        }
        return kept;
    }

    /** The simple name a matched single-type import brings in, {@code static } first for a static one. */
    private static String simpleName(Matcher matchedImport) {
        String name = matchedImport.group(2);
        return (matchedImport.group(1) == null ? "" : "static ") + name.substring(name.lastIndexOf('.') + 1);
    }

    /**
     * Compiles the program into {@code classes} against {@code classPath}, for the release the
     * project compiles for.
     *
     * @throws AssertionError naming the block and each diagnostic at its page line, when javac refuses it
     */
    void compileInto(Path classes, String classPath) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("the tests run on a JRE without javac (" + System.getProperty("java.home")
                    + "); they need a JDK");
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///" + className + ".java"),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        List<String> options = List.of("--release", "21", "-proc:none", "-encoding", "UTF-8",
                "-classpath", classPath, "-d", classes.toString());
        boolean compiled;
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            compiled = javac.getTask(null, files, diagnostics, options, null, List.of(unit)).call();
        }
        if (!compiled) {
            StringBuilder report = new StringBuilder(block.where() + ": the example does not compile:");
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                report.append('\n').append(at(d.getLineNumber())).append(": ")
                        .append(d.getKind().toString().toLowerCase(Locale.ROOT)).append(": ")
                        .append(d.getMessage(Locale.ROOT));
            }
            report.append("\n--- as compiled ---\n").append(source);
            throw new AssertionError(report.toString());
        }
    }

    /** Where line {@code line} (1-based) of the source came from: a page line, or a line the harness wrote. */
    private String at(long line) {
        if (line >= 1 && line <= pageLines.length && pageLines[(int) line - 1] > 0) {
            return block.page() + ":" + pageLines[(int) line - 1];
        }
        return block.where() + " (harness line " + line + ")";
    }
}
