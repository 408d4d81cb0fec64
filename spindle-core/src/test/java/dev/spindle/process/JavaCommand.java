package dev.spindle.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Child JVMs in tests: the command that runs a test's own main class in a new JVM on this JVM's
 * class path, and the check that no child outlives its test class.
 */
public final class JavaCommand {

    private JavaCommand() {
    }

    /** Waits, bounded, for this JVM's children to end, and fails if one is left: the tests' own hygiene. */
    public static void noChildOutlivesTheTests() throws Exception {
        WarmStandby.killAllForTests();
        for (ProcessHandle child : ProcessHandle.current().children().toList()) {
            child.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        if (!ProcessHandle.current().children().toList().isEmpty()) {
            throw new AssertionError("child JVMs outlived the tests: " + ProcessHandle.current().children().toList());
        }
    }

    public static List<String> of(String mainClass, String... args) {
        return with(List.of(), mainClass, args);
    }

    /** The command that runs {@code mainClass} in a new JVM on this JVM's class path, with {@code options}. */
    public static List<String> with(List<String> options, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(Arrays.asList(args));
        return command;
    }
}
