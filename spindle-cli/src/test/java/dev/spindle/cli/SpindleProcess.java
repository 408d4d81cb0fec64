package dev.spindle.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real {@code spindle} command in a child JVM, as a user runs it: same java, the test class
 * path. Closing it sends SIGTERM, then kills it if it has not exited, so no test leaves a JVM behind.
 */
final class SpindleProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on \\S*:(\\d+)");

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final Thread reader;

    SpindleProcess(String... args) throws IOException {
        this(Map.of(), args);
    }

    /** The command with {@code environment} added to this JVM's, such as {@code LC_ALL=C}. */
    SpindleProcess(Map<String, String> environment, String... args) throws IOException {
        this(javaCommand(args), environment);
    }

    /** Any command line that runs spindle, such as a launcher script and its arguments. */
    SpindleProcess(List<String> command, Map<String, String> environment) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        process = builder.start();
        reader = Thread.ofPlatform().name("spindle-process-output").daemon(true).start(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    output.add(line);
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
    }

    private static List<String> javaCommand(String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Spindle.class.getName());
        command.addAll(List.of(args));
        return command;
    }

    /** Waits for the "listening on host:port" line and returns the port. */
    int awaitPort() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
            if (!process.isAlive() && lines.isEmpty()) {
                break;
            }
        }
        throw new AssertionError("spindle did not report a port; output: " + output);
    }

    /** Waits for the "listening on" line of a server on a Unix-domain socket. */
    void awaitPortOrUnix() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && line.contains("listening on")) {
                return;
            }
        }
        throw new AssertionError("spindle did not report its address; output: " + output);
    }

    /**
     * Sends SIGTERM and waits for the exit code. Through the ProcessHandle: Process.destroy()
     * also closes our end of the child's stdout, losing what it prints on its way out.
     */
    int terminate() throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("spindle did not exit after SIGTERM; output: " + output);
        }
        reader.join(5_000);
        return process.exitValue();
    }

    /** Kills the process with SIGKILL, as the kernel's OOM killer or {@code kill -9} would, and waits for it to die. */
    void kill() throws InterruptedException {
        process.toHandle().destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("spindle did not die of SIGKILL; output: " + output);
        }
    }

    /** Waits, bounded, until the output has a line containing {@code text}; fails with the output otherwise. */
    void awaitOutput(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (output.stream().anyMatch(line -> line.contains(text))) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("spindle did not print '" + text + "'; output: " + output);
    }

    /** Types {@code lines} on the process's standard input, then ends it (Ctrl-D). */
    void type(String... typed) throws IOException {
        try (java.io.Writer in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8)) {
            for (String line : typed) {
                in.write(line + "\n");
            }
        }
    }

    /** Waits, bounded, for the process to exit by itself, and returns its exit code. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("spindle did not exit; output: " + output);
        }
        reader.join(5_000);
        return process.exitValue();
    }

    String output() {
        return String.join("\n", output);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
