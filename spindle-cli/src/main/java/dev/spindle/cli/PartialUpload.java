package dev.spindle.cli;

import dev.spindle.cli.FileUploadHandler.UploadRefusedException;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One upload being received: a hidden file {@code .upload-<random>.part} in the upload directory,
 * readable by this user only, that becomes the uploaded file by an atomic move once the body is
 * complete, and is deleted otherwise. Every failure to store is an {@link UploadRefusedException}
 * whose message the client gets, without the server's paths.
 *
 * <p>The file is held under an exclusive lock from just after its creation until after the move.
 * A server killed mid-upload (SIGKILL, power loss) cannot delete its partial file, and nothing of
 * it is left to say whose the file was, but the kernel releases a dead process's locks: so a
 * starting server removes each partial file it can lock ({@link #removeAbandoned}) and leaves the
 * ones a live server holds, even in the same directory.
 *
 * <p>Pitfall: Java's file locks are POSIX record locks, which belong to the process, and closing
 * any channel the process has on a file releases all of its locks on that file. So the clean-up
 * never opens a file this JVM is writing; {@link #WRITING} knows them all, because a name is
 * registered before its file is created.
 */
final class PartialUpload implements Closeable {

    static final String PREFIX = ".upload-";
    static final String SUFFIX = ".part";
    private static final String GLOB = PREFIX + "*" + SUFFIX;

    /** Fresh random names to try before giving up; each only collides with a file of the same name. */
    private static final int CREATE_ATTEMPTS = 8;

    /** The partial files of every upload this JVM is receiving, in any directory. */
    private static final Set<Path> WRITING = ConcurrentHashMap.newKeySet();

    private final Path path;
    private final FileChannel channel;
    private final String quotedName;

    private PartialUpload(Path path, FileChannel channel, String quotedName) {
        this.path = path;
        this.channel = channel;
        this.quotedName = quotedName;
    }

    /**
     * Creates and locks a new partial file in {@code directory} for the upload named {@code quotedName}.
     *
     * @throws UploadRefusedException if the file cannot be created, with the reason
     */
    static PartialUpload create(Path directory, String quotedName) throws UploadRefusedException {
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        boolean posix = directory.getFileSystem().supportedFileAttributeViews().contains("posix");
        FileAttribute<?>[] ownerOnly = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        for (int attempt = 1; attempt <= CREATE_ATTEMPTS; attempt++) {
            Path path = directory.resolve(PREFIX + Long.toUnsignedString(ThreadLocalRandom.current().nextLong()) + SUFFIX);
            WRITING.add(path);
            FileChannel channel = null;
            try {
                channel = FileChannel.open(path, options, ownerOnly);
                FileLock lock = channel.tryLock();
                // Between the creation and the lock, a starting server's clean-up may have locked the
                // file (it then deletes it) or already deleted it: only a file still there is ours.
                if (lock != null && Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                    return new PartialUpload(path, channel, quotedName);
                }
            } catch (FileAlreadyExistsException taken) {
                // another upload's random name: draw again
            } catch (IOException e) {
                if (channel != null) {
                    closeQuietly(channel);
                    deleteQuietly(path); // created, but it could not be locked
                }
                WRITING.remove(path);
                throw storageFailure(quotedName, e);
            }
            closeQuietly(channel);
            WRITING.remove(path);
        }
        throw new UploadRefusedException("the server could not create a partial file for " + quotedName + " in "
                + CREATE_ATTEMPTS + " attempts; send it again");
    }

    /** Appends all of {@code chunk}; returns how many bytes that was. */
    long write(ByteBuffer chunk) throws UploadRefusedException {
        long written = 0;
        try {
            while (chunk.hasRemaining()) {
                written += channel.write(chunk);
            }
        } catch (IOException e) {
            throw storageFailure(quotedName, e);
        }
        return written;
    }

    /** Moves the complete file into place, replacing a regular file of that name, while still holding the lock. */
    void moveTo(Path target) throws UploadRefusedException {
        try {
            Files.move(path, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw storageFailure(quotedName, e);
        }
    }

    /** Deletes the partial file unless it was moved into place, then releases the lock. */
    @Override
    public void close() throws IOException {
        try {
            Files.deleteIfExists(path);
        } finally {
            channel.close();
            WRITING.remove(path);
        }
    }

    /**
     * Deletes the partial files in {@code directory} that nobody is writing: those whose writer died.
     * A file another process holds locked, or that this JVM is writing, is left alone. Returns what
     * was deleted, each as its name and size.
     *
     * @throws IOException if the directory cannot be listed
     */
    static List<String> removeAbandoned(Path directory) throws IOException {
        List<String> removed = new ArrayList<>();
        try (DirectoryStream<Path> candidates = Files.newDirectoryStream(directory, GLOB)) {
            for (Path candidate : candidates) {
                if (WRITING.contains(candidate)) {
                    continue;
                }
                String gone = removeIfAbandoned(candidate);
                if (gone != null) {
                    removed.add(gone);
                }
            }
        }
        return removed;
    }

    /** Deletes {@code file} if its lock can be had; returns its name and size if it did, null otherwise. */
    private static String removeIfAbandoned(Path file) {
        try {
            if (!Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile()) {
                return null;
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    return null; // a live server is writing it
                }
                long size = channel.size();
                // Deleted while locked: a writer that created it just now finds it gone once it gets the lock.
                Files.delete(file);
                return file.getFileName() + " (" + size + " bytes)";
            }
        } catch (OverlappingFileLockException thisJvm) {
            return null;
        } catch (NoSuchFileException finished) {
            return null; // moved into place or removed since the listing
        } catch (IOException unreadable) {
            return null; // another user's, say: not this server's to judge
        }
    }

    private static UploadRefusedException storageFailure(String quotedName, IOException e) {
        return new UploadRefusedException("the server could not store " + quotedName + ": "
                + UploadFileName.reason(e) + "; nothing was kept, so send it again later or tell the server's operator",
                e);
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // unlocked, so the next server to start removes it
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing was written through it
            }
        }
    }
}
