package dev.spindle.docs;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * An example program running in a child JVM of its own: {@code java -cp <test class path>:<classes> Example}.
 * Its standard output and error go to files beside its classes, so it can never block on a full
 * pipe. Closing it kills it and every process it started, by PID, and waits (bounded) until they are gone.
 */
final class ExampleJvm implements AutoCloseable {

    /** A line an uncaught exception, a stack trace or a logged exception leaves on standard error. */
    private static final Pattern EXCEPTION = Pattern.compile(
            "(?m)^(Exception in thread |Caused by: |\\s+at [\\w$.]+\\(|[\\w$.]*(Exception|Error)(:|$))");
    private static final Duration KILL_LIMIT = Duration.ofSeconds(20);

    private final ExampleProgram program;
    private final java.lang.Process os;
    private final Path stdout;
    private final Path stderr;

    private ExampleJvm(ExampleProgram program, java.lang.Process os, Path stdout, Path stderr) {
        this.program = program;
        this.os = os;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts {@code program}, compiled into {@code classes}, on {@code classPath} plus {@code classes}. */
    static ExampleJvm start(ExampleProgram program, Path classes, String classPath) throws IOException {
        Path out = classes.resolve(program.className + ".stdout");
        Path err = classes.resolve(program.className + ".stderr");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        java.lang.Process os = new ProcessBuilder(java, "-cp", classPath + File.pathSeparator + classes, program.className)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        return new ExampleJvm(program, os, out, err);
    }

    /**
     * Waits up to {@code limit} for the program to end, then checks that it exited with 0, left no
     * exception on standard error and printed its documented output.
     */
    void assertRunsToCompletion(Duration limit) throws IOException, InterruptedException {
        OptionalInt exit = awaitExit(limit);
        if (exit.isEmpty()) {
            throw failure("is still running after " + limit.toSeconds() + " s");
        }
        if (exit.getAsInt() != 0) {
            throw failure("exited with code " + exit.getAsInt());
        }
        assertNoExceptionOnStderr();
        List<String> printed = Files.readAllLines(stdout);
        int next = 0;
        for (String expected : program.documentedOutput) {
            while (next < printed.size() && !printed.get(next).strip().equals(expected)) {
                next++;
            }
            if (next == printed.size()) {
                throw failure("did not print the documented line \"" + expected + "\" (documented, in order: "
                        + program.documentedOutput + ")");
            }
            next++;
        }
    }

    /**
     * Waits up to {@code limit} until the program accepts a connection on {@code port} of the
     * loopback address; the connection is the caller's.
     */
    Socket awaitAccepting(int port, Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        while (true) {
            if (!os.isAlive()) {
                throw failure("exited with code " + os.exitValue() + " before accepting connections on port " + port);
            }
            Socket socket = new Socket();
            try {
                socket.connect(address, 1_000);
                return socket;
            } catch (IOException refused) {
                socket.close();
                if (System.nanoTime() - deadline > 0) {
                    throw failure("did not accept connections on port " + port + " within " + limit.toSeconds() + " s");
                }
                Thread.sleep(20);
            }
        }
    }

    /** What the program has printed to standard output so far. */
    String stdout() throws IOException {
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    /** Closes the program's standard input, as the death of the test JVM would. */
    void closeStandardInput() throws IOException {
        os.getOutputStream().close();
    }

    /** Waits up to {@code limit} for the program to end; its exit code, or empty while it still runs. */
    OptionalInt awaitExit(Duration limit) throws InterruptedException {
        return os.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)
                ? OptionalInt.of(os.exitValue())
                : OptionalInt.empty();
    }

    void assertNoExceptionOnStderr() throws IOException {
        if (EXCEPTION.matcher(Files.readString(stderr, StandardCharsets.UTF_8)).find()) {
            throw failure("wrote an exception to standard error");
        }
    }

    /** An assertion failure naming the block, saying what went wrong, with everything the program printed. */
    AssertionError failure(String what) throws IOException {
        return new AssertionError(program.block.where() + ": the example " + what
                + "\n--- standard output ---\n" + stdout()
                + "--- standard error ---\n" + Files.readString(stderr, StandardCharsets.UTF_8)
                + "--- as compiled ---\n" + program.source);
    }

    /** Kills the program and every process it started, and waits until they are gone. */
    @Override
    public void close() {
        // Snapshot the family first: once the parent dies its children are no longer its descendants.
        // The parent dies first, so that it starts no child the snapshot misses.
        List<ProcessHandle> family = new ArrayList<>();
        family.add(os.toHandle());
        family.addAll(os.descendants().toList());
        family.forEach(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + KILL_LIMIT.toNanos();
        for (ProcessHandle p : family) {
            try {
                p.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("process " + p.pid() + " of " + program.block.where()
                        + " survived SIGKILL for " + KILL_LIMIT.toSeconds() + " s", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                // Every process has had its SIGKILL; stop waiting, as the interrupt asks.
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
