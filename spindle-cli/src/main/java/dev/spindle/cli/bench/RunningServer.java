package dev.spindle.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One benchmark server in a JVM of its own, from the moment it says where it listens until
 * {@link #close()}. CPU and memory are read from {@code /proc} for the process and every process
 * it started (the process model's workers), so a server pays for all of its work.
 *
 * <h2>Lifecycle</h2>
 * {@link #start} returns once the server has printed its port, or throws; {@link #close()} closes
 * its stdin (how the Netty peers stop), sends SIGTERM (how {@code spindle serve} stops), and kills
 * what is left after ten seconds, children included.
 */
final class RunningServer implements AutoCloseable {

    /** {@code spindle serve} prints "listening on 127.0.0.1:PORT"; the Netty peers "listening PORT". */
    private static final Pattern LISTENING = Pattern.compile("listening (?:on \\S*:)?(\\d+)");
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);
    private static final int KEPT_LINES = 20;

    private final String name;
    private final Process process;
    private final int port;

    private RunningServer(String name, Process process, int port) {
        this.name = name;
        this.process = process;
        this.port = port;
    }

    /**
     * Starts {@code command} and waits up to {@code timeout} for it to print its port.
     *
     * @throws IOException when it ends or stays silent first; the process is killed then
     */
    static RunningServer start(String name, List<String> command, Duration timeout) throws IOException {
        // Its output and errors are kept, not shown: a peer's JVM warnings would bury the progress
        // lines. The last of them go into the exception when it fails to start.
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Deque<String> last = new ArrayDeque<>();
        // Reads on past the port, so that a server that prints more never blocks on a full pipe.
        Thread.ofPlatform().daemon(true).name("bench-" + name + "-output").start(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    Matcher m = LISTENING.matcher(line);
                    if (!port.isDone() && m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    } else if (!port.isDone()) {
                        last.addLast(line);
                        if (last.size() > KEPT_LINES) {
                            last.removeFirst();
                        }
                    }
                }
            } catch (IOException ignored) {
                // the server ended
            } finally {
                port.completeExceptionally(new IOException(name + " ended before it said where it listens; it printed:"
                        + System.lineSeparator() + String.join(System.lineSeparator(), last)));
            }
        });
        try {
            return new RunningServer(name, process, port.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (ExecutionException e) {
            kill(process);
            throw (IOException) e.getCause();
        } catch (TimeoutException e) {
            kill(process);
            throw new IOException(name + " did not say where it listens within " + timeout);
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + name + " started", e);
        }
    }

    int port() {
        return port;
    }

    /** User and system CPU, in clock ticks, of the server and its children so far. */
    long cpuTicks() throws IOException {
        long ticks = 0;
        for (long pid : tree()) {
            String stat = readOrEmpty(Path.of("/proc/" + pid + "/stat"));
            if (!stat.isEmpty()) {
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime
            }
        }
        return ticks;
    }

    /** Peak resident memory, summed over the server and its children. */
    long peakRssKiB() throws IOException {
        return statusKiB("VmHWM:");
    }

    /** Resident memory now, summed over the server and its children. */
    long rssKiB() throws IOException {
        return statusKiB("VmRSS:");
    }

    private long statusKiB(String field) throws IOException {
        long kib = 0;
        for (long pid : tree()) {
            for (String line : readOrEmpty(Path.of("/proc/" + pid + "/status")).split("\n")) {
                if (line.startsWith(field)) {
                    kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        }
        return kib;
    }

    private long[] tree() {
        return Stream.concat(Stream.of(process.toHandle()), process.descendants())
                .mapToLong(ProcessHandle::pid).toArray();
    }

    /** A process that ended between listing and reading has nothing to count. */
    private static String readOrEmpty(Path file) throws IOException {
        try {
            return Files.readString(file);
        } catch (java.nio.file.NoSuchFileException e) {
            return "";
        }
    }

    @Override
    public void close() throws IOException {
        List<ProcessHandle> children = process.descendants().toList();
        process.getOutputStream().close();
        process.destroy();
        try {
            if (!process.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
            }
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", port " + port + ")";
    }
}
