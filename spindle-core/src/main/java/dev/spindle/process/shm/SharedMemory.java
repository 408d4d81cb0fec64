package dev.spindle.process.shm;

import dev.spindle.process.wire.Run;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A named block of memory that processes map and share: Python's
 * {@code multiprocessing.shared_memory.SharedMemory}. What one process writes into
 * {@link #buffer()}, every process that has the block reads, with no copy and no call.
 *
 * <pre>{@code
 * try (SharedMemory block = SharedMemory.create("prices", 1 << 20)) {
 *     block.buffer().putDouble(0, 42.5);
 *     Process.target(() -> {
 *         try (SharedMemory same = SharedMemory.attach("prices")) {
 *             System.out.println(same.buffer().getDouble(0));   // 42.5
 *         }
 *     }).start().join();
 * }
 * }</pre>
 *
 * <p>A block is a file in {@code /dev/shm} (where the system has none, as on macOS, a directory
 * {@code spindle-shm} in {@code java.io.tmpdir}) named as given, so a Python program can attach a
 * block a Java one created, and back. Only its owner may open it (mode {@code 0600}).
 *
 * <h2>Lifecycle</h2>
 * <ul>
 *   <li><em>Created</em> by {@link #create}: the block is the run's. It is removed when the run's
 *   last process ends, however the others ended (SIGKILL too); if every process of the run was
 *   killed, the next Spindle program of this user removes it when it starts. Python's resource
 *   tracker leaks such blocks, or removes them while other programs still use them (gh-82300).</li>
 *   <li><em>Created persistent</em> ({@link #create(String, int, boolean)}): the block outlives
 *   the run, until someone {@link #unlink}s it.</li>
 *   <li><em>Attached</em> by {@link #attach}, by name, from any process of this user, of the run
 *   or not. A process of another run never removes the block: an attacher never unlinks what it
 *   did not create, unless it calls {@link #unlink} itself.</li>
 *   <li>{@link #close()} lets go of the block in this process: this object refuses further use.
 *   {@link #unlink()} removes the name at once; processes that have the block keep using it,
 *   and its memory goes when the last of them lets go, as with POSIX {@code shm_unlink}.</li>
 * </ul>
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>{@link #buffer()} views stay usable after {@link #close()}: the JDK unmaps a block only
 *   when no view of it is reachable any more (an explicit unmap would crash a thread still using
 *   one). A program that maps many large blocks in turn should drop its views.</li>
 *   <li>Plain reads and writes through a buffer are not atomic across processes and are not
 *   ordered with other processes' writes; use {@link SharedValue} and {@link SharedArray} for
 *   counters and flags, or a lock around compound updates.</li>
 *   <li>A block is at most 2 GiB − 1 bytes (a {@code ByteBuffer}'s limit).</li>
 * </ul>
 *
 * <p>Serializable: a block captured by a task, or sent through a pipe or a queue, is the same
 * block in the other process (it attaches by name there).
 */
public final class SharedMemory implements AutoCloseable, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private final int size;
    private transient MappedByteBuffer mapped;
    private transient volatile boolean closed;

    private SharedMemory(String name, int size, MappedByteBuffer mapped) {
        this.name = name;
        this.size = size;
        this.mapped = mapped;
    }

    /**
     * Creates a block of {@code size} bytes, zeroed, with a new name ({@code spindle-} and random
     * hex), removed when the run ends.
     *
     * @throws IllegalArgumentException if {@code size} is not positive
     * @throws UncheckedIOException if the block cannot be made (no room in {@code /dev/shm})
     */
    public static SharedMemory create(int size) {
        byte[] random = new byte[8];
        RANDOM.nextBytes(random); // generateSeed could block on the system's entropy
        return create("spindle-" + HexFormat.of().formatHex(random), size);
    }

    /**
     * Creates the block {@code name} of {@code size} bytes, zeroed, removed when the run ends.
     *
     * @throws IllegalArgumentException if the name is not 1 to 200 of {@code A-Z a-z 0-9 . _ -}
     *         (and not "." or ".."), or {@code size} is not positive
     * @throws UncheckedIOException if a block of that name exists (attach it, or pick another
     *         name), or the block cannot be made
     */
    public static SharedMemory create(String name, int size) {
        return create(name, size, false);
    }

    /**
     * Creates the block {@code name} of {@code size} bytes, zeroed; a {@code persistent} one
     * outlives the run until someone {@link #unlink}s it, any other is removed when the run ends.
     *
     * @throws IllegalArgumentException if the name or the size is not valid (see {@link #create(String, int)})
     * @throws UncheckedIOException if a block of that name exists, or the block cannot be made
     */
    public static SharedMemory create(String name, int size, boolean persistent) {
        Path file = fileOf(name);
        if (size <= 0) {
            throw new IllegalArgumentException("a shared memory block's size must be positive, not " + size);
        }
        Run run = persistent ? null : Run.current();
        boolean made = false;
        try {
            if (run != null) {
                run.recordBlock(file);
            }
            try (FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.READ, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                made = true;
                if (run != null) {
                    run.identifyBlock(file);
                }
                return new SharedMemory(name, size, map(channel, size));
            }
        } catch (FileAlreadyExistsException e) {
            if (run != null) {
                run.forgetBlock(file);
            }
            throw new UncheckedIOException("a shared memory block named '" + name + "' exists already (" + file
                    + "): attach it with SharedMemory.attach, or pick another name", e);
        } catch (IOException e) {
            boolean gone = !made;
            if (made) {
                // Made but not usable (its size could not be set, or it could not be mapped): not left behind.
                try {
                    Files.deleteIfExists(file);
                    gone = true;
                } catch (IOException ignored) {
                    // Its marker stays, so the run's end removes it.
                }
            }
            if (run != null && gone) {
                run.forgetBlock(file);
            }
            throw new UncheckedIOException("cannot create the shared memory block '" + name + "' (" + file + "): "
                    + e.getMessage(), e);
        }
    }

    /**
     * Attaches the block {@code name}, made by any process of this user.
     *
     * @throws IllegalArgumentException if the name is not valid (see {@link #create(String, int)})
     * @throws UncheckedIOException if there is no such block (a {@link NoSuchFileException}
     *         cause), or it cannot be mapped
     */
    public static SharedMemory attach(String name) {
        Path file = fileOf(name);
        try {
            // A block of the run must outlive its creator while this process may use it.
            Run.current().holdDirectory();
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long size = channel.size();
                if (size > Integer.MAX_VALUE) {
                    throw new IOException("the block is " + size + " bytes, more than a buffer can map");
                }
                return new SharedMemory(name, (int) size, map(channel, (int) size));
            }
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("there is no shared memory block named '" + name + "' (" + file
                    + "): it was never created, or was unlinked", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot attach the shared memory block '" + name + "': " + e.getMessage(), e);
        }
    }

    /** The block's name, as {@link #attach} takes it. */
    public String name() {
        return name;
    }

    /** The block's size in bytes. */
    public int size() {
        return size;
    }

    /**
     * A new view of the whole block: position 0, limit {@link #size()}, native byte order (as
     * {@link SharedValue} and {@link SharedArray} use it). Views are independent; each is for one
     * thread at a time, as any {@code ByteBuffer}.
     *
     * @throws IllegalStateException if this block was closed
     */
    public ByteBuffer buffer() {
        return mapped().duplicate().order(ByteOrder.nativeOrder());
    }

    /** The mapping itself, attached on first use in a process that received the block. */
    MappedByteBuffer mapped() {
        if (closed) {
            throw new IllegalStateException("the shared memory block '" + name + "' was closed in this process; "
                    + "attach it again to use it");
        }
        MappedByteBuffer m = mapped;
        if (m == null) {
            m = attach(name).mapped;
            mapped = m;
        }
        return m;
    }

    /** Lets go of the block in this process: later calls on this object throw {@link IllegalStateException}. */
    @Override
    public void close() {
        closed = true;
    }

    /**
     * Removes the block's name: nobody can attach it any more, and the run no longer removes it.
     * Processes that have it keep using it. Removing a name that is gone already does nothing.
     *
     * @throws UncheckedIOException if the file cannot be removed
     */
    public void unlink() {
        Path file = fileOf(name);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unlink the shared memory block '" + name + "': " + e.getMessage(), e);
        }
        Run.current().forgetBlock(file);
    }

    /** Where blocks live: {@code /dev/shm}, or a private directory in {@code java.io.tmpdir} without it. */
    static Path directory() {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return shm;
        }
        Path fallback = Path.of(System.getProperty("java.io.tmpdir"), "spindle-shm-" + System.getProperty("user.name"));
        try {
            return Files.createDirectories(fallback,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("no /dev/shm, and cannot make " + fallback + " for shared memory: "
                    + e.getMessage(), e);
        }
    }

    /** The file of block {@code name}. */
    static Path fileOf(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("a shared memory block's name is 1 to 200 of A-Z a-z 0-9 . _ - "
                    + "(not . or ..), not " + (name == null ? "null" : "'" + name + "'"));
        }
        return directory().resolve(name);
    }

    private static MappedByteBuffer map(FileChannel channel, int size) throws IOException {
        return channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
    }

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        fileOf(name); // refuse a name no block could have
    }

    @Override
    public String toString() {
        return "SharedMemory[" + name + ", " + size + " bytes" + (closed ? ", closed" : "") + "]";
    }
}
