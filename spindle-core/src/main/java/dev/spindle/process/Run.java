package dev.spindle.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One run of a program and every process it starts: the run's secret key, the private directory
 * that holds its Unix-domain sockets, and this process's identity within it.
 *
 * <p>The first process (the root) makes a fresh random key and a directory only its user may
 * enter, and deletes the directory when it exits. A child learns all three from its bootstrap,
 * read from its standard input, so the key never appears on a command line.
 */
final class Run {

    /** Unix-domain socket paths are limited to 107 bytes; leave room for file names. */
    private static final int MAX_DIRECTORY_LENGTH = 80;
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static Run current;

    final byte[] key;
    final Path directory;
    final ProcessInfo identity;
    private final AtomicLong sockets = new AtomicLong();
    private final AtomicLong children = new AtomicLong();

    private Run(byte[] key, Path directory, ProcessInfo identity) {
        this.key = key;
        this.directory = directory;
        this.identity = identity;
    }

    /** This process's run: a child's from its bootstrap, otherwise a new root run. */
    static Run current() {
        LOCK.lock();
        try {
            if (current == null) {
                current = newRoot();
            }
            return current;
        } finally {
            LOCK.unlock();
        }
    }

    /** Called once by a child, before anything else touches the run. */
    static void joinAsChild(byte[] key, Path directory, ProcessInfo identity) {
        LOCK.lock();
        try {
            if (current != null) {
                throw new IllegalStateException("this process already belongs to a run");
            }
            current = new Run(key, directory, identity);
        } finally {
            LOCK.unlock();
        }
    }

    /** A fresh socket path in the run's directory, unique within the run. */
    Path newSocketPath(String kind) {
        return directory.resolve(kind + "-" + identity.pid() + "-" + sockets.incrementAndGet() + ".sock");
    }

    /** The default name of this process's next child: {@code Process-3}, or {@code Process-1:3} in a child. */
    String nextChildName() {
        long n = children.incrementAndGet();
        String name = identity.name();
        return name.startsWith("Process-") ? name + ":" + n : "Process-" + n;
    }

    private static Run newRoot() {
        ProcessHandle self = ProcessHandle.current();
        ProcessInfo identity = new ProcessInfo("MainProcess", self.pid(),
                self.parent().map(ProcessHandle::pid).orElse(0L), false);
        try {
            Path directory = Files.createTempDirectory(socketRoot(), "spindle-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Thread cleanup = new Thread(() -> deleteTree(directory), "spindle-run-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanup);
            return new Run(Handshake.newKey(), directory, identity);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the run's private socket directory: " + e.getMessage()
                    + "; check that java.io.tmpdir (or /tmp) is writable", e);
        }
    }

    /** java.io.tmpdir, unless its path is too long for socket names; then /tmp. */
    private static Path socketRoot() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        return tmp.toAbsolutePath().toString().length() <= MAX_DIRECTORY_LENGTH ? tmp : Path.of("/tmp");
    }

    private static void deleteTree(Path directory) {
        try {
            Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // The directory may be gone already; nothing else to do at exit.
        }
    }
}
