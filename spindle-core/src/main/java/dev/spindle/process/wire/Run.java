package dev.spindle.process.wire;

import dev.spindle.process.Handshake;
import dev.spindle.process.ProcessInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One run of a program and every process it starts: the run's secret key, the private directory
 * that holds its Unix-domain sockets, and this process's identity within it.
 *
 * <p>The first process (the root) makes a fresh random key and a directory only its user may
 * enter. A child learns all three from its bootstrap, read from its standard input, so the key
 * never appears on a command line.
 *
 * <h2>The directory's life</h2>
 * Every process of the run that has sockets in the directory (the root, and a child once it
 * starts its own {@link ProcessHub}) holds a shared lock on the directory's {@code run.lock} file
 * for as long as it lives; the kernel drops a process's lock when it dies, however it dies. A child
 * without sockets there does not need the directory and takes no lock, which keeps its start and
 * exit cheap. The last holder to exit normally (the one that can then take the lock exclusively)
 * removes the directory. When the last holders were killed instead, the directory stays until the
 * next root run of this user starts: it removes every {@code spindle-*} run directory of this user
 * whose lock nobody holds, and leaves those of live runs alone.
 *
 * <p>Shared-memory blocks the run created ({@link #recordBlock}) go with its directory, the same
 * way and at the same moment.
 */
public final class Run {

    /** Unix-domain socket paths are limited to 107 bytes; leave room for file names. */
    private static final int MAX_DIRECTORY_LENGTH = 80;
    private static final String PREFIX = "spindle-";
    private static final String LOCK_FILE = "run.lock";
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static Run current;

    private final byte[] key;
    private final Path directory;
    private final ProcessInfo identity;
    private final AtomicLong sockets = new AtomicLong();
    private final AtomicLong children = new AtomicLong();

    private boolean holding;

    private Run(byte[] key, Path directory, ProcessInfo identity, boolean holding) {
        this.key = key;
        this.directory = directory;
        this.identity = identity;
        this.holding = holding;
    }

    /** The run's secret key: whoever holds it may connect to the run's processes. */
    public byte[] key() {
        return key;
    }

    /** The run's private directory, where its sockets live. */
    public Path directory() {
        return directory;
    }

    /** This process within the run. */
    public ProcessInfo identity() {
        return identity;
    }

    /** This process's run: a child's from its bootstrap, otherwise a new root run. */
    public static Run current() {
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
    public static void joinAsChild(byte[] key, Path directory, ProcessInfo identity) {
        LOCK.lock();
        try {
            if (current != null) {
                throw new IllegalStateException("this process already belongs to a run");
            }
            current = new Run(key, directory, identity, false);
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * Keeps the run's directory for as long as this process lives: called before this process puts
     * a socket there. The root holds it from the start; a child from its first socket.
     */
    public void holdDirectory() throws IOException {
        LOCK.lock();
        try {
            if (!holding) {
                holdWhileAlive(directory);
                holding = true;
            }
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * Records that this run created {@code block} (a shared-memory file), so that it is removed
     * with the run's directory: when the run's last process exits, or, if they were all killed,
     * when the next run of this user starts. This process then holds the directory. Called before
     * the file is made, so that a crash in between leaves no block unrecorded.
     */
    public void recordBlock(Path block) throws IOException {
        holdDirectory();
        RunBlocks.record(directory, block);
    }

    /** Completes {@code block}'s record once its file exists: the run removes that file and no other. */
    public void identifyBlock(Path block) throws IOException {
        RunBlocks.identify(directory, block);
    }

    /** Forgets {@code block}, which its owner unlinked: the run no longer removes it. */
    public void forgetBlock(Path block) {
        RunBlocks.forget(directory, block);
    }

    /** A fresh socket path in the run's directory, unique within the run. */
    public Path newSocketPath(String kind) {
        return directory.resolve(kind + "-" + identity.pid() + "-" + sockets.incrementAndGet() + ".sock");
    }

    /** The default name of this process's next child: {@code Process-3}, or {@code Process-1:3} in a child. */
    public String nextChildName() {
        long n = children.incrementAndGet();
        String name = identity.name();
        return name.startsWith("Process-") ? name + ":" + n : "Process-" + n;
    }

    private static Run newRoot() {
        ProcessHandle self = ProcessHandle.current();
        ProcessInfo identity = new ProcessInfo("MainProcess", self.pid(),
                self.parent().map(ProcessHandle::pid).orElse(0L), false);
        Path root = socketRoot();
        removeAbandonedRuns(root);
        try {
            // Made under a name no scan looks at, locked, then renamed: a run directory is never seen unlocked.
            Path fresh = Files.createTempDirectory(root, ".spindle-new-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            holdWhileAlive(fresh);
            Path directory = root.resolve(PREFIX + fresh.getFileName().toString().substring(".spindle-new-".length()));
            Files.move(fresh, directory, StandardCopyOption.ATOMIC_MOVE);
            return new Run(Handshake.newKey(), directory, identity, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the run's private socket directory: " + e.getMessage()
                    + "; check that java.io.tmpdir (or /tmp) is writable", e);
        }
    }

    /**
     * Takes a shared lock on {@code directory}'s lock file for the rest of this process's life, and
     * arranges for the directory's removal at exit if this process is then its last user.
     */
    private static void holdWhileAlive(Path directory) throws IOException {
        Path lockFile = directory.resolve(LOCK_FILE);
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock shared;
        try {
            shared = channel.lock(0, Long.MAX_VALUE, true);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        ExitSequence.at(ExitSequence.Step.LEAVE_RUN, () -> leave(channel, shared));
    }

    /** Lets go of the run; removes its directory when no other process of the run holds it. */
    private static void leave(FileChannel channel, FileLock shared) {
        try {
            shared.release();
            FileLock exclusive = channel.tryLock(0, Long.MAX_VALUE, false);
            if (exclusive != null) {
                Path directory = current != null ? current.directory : null;
                if (directory != null) {
                    RunBlocks.removeAll(directory);
                    deleteTree(directory);
                }
            }
        } catch (IOException | OverlappingFileLockException e) {
            // Another process of the run still holds it, or it is gone: either way not ours to remove.
        } finally {
            try {
                channel.close();
            } catch (IOException e) {
                // Exiting anyway.
            }
        }
    }

    /**
     * Removes this user's run directories under {@code root} that no live process holds: what
     * SIGKILLed runs left behind. A directory whose lock is held, or that this user does not own,
     * is left alone.
     */
    public static void removeAbandonedRuns(Path root) {
        try (DirectoryStream<Path> runs = Files.newDirectoryStream(root, PREFIX + "*")) {
            for (Path directory : runs) {
                Path lockFile = directory.resolve(LOCK_FILE);
                if (current != null && directory.equals(current.directory)) {
                    continue; // opening and closing our own lock file would drop this process's lock
                }
                if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)
                        || !Files.isRegularFile(lockFile, LinkOption.NOFOLLOW_LINKS)
                        || !Files.isWritable(directory)) {
                    continue;
                }
                try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
                     FileLock exclusive = channel.tryLock(0, Long.MAX_VALUE, false)) {
                    if (exclusive != null) {
                        RunBlocks.removeAll(directory);
                        deleteTree(directory);
                    }
                } catch (IOException | OverlappingFileLockException e) {
                    // Held by a live run (this JVM's own included), or not ours: leave it.
                }
            }
        } catch (IOException e) {
            // Nothing to tidy, or no permission to look: not worth failing a run over.
        }
    }

    /** java.io.tmpdir, unless its path is too long for socket names; then /tmp. */
    public static Path socketRoot() {
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
