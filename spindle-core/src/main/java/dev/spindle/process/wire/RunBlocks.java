package dev.spindle.process.wire;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * The shared-memory blocks a run created, as marker files in its directory ({@code blocks/}),
 * each holding the block's path and the identity (device and inode) the file had when it was
 * made. Removing a run removes its blocks first; a block whose file is no longer the one recorded
 * (unlinked and made again by someone else) is left alone.
 */
final class RunBlocks {

    private static final String FOLDER = "blocks";

    private RunBlocks() {
    }

    /** Records {@code block} before it exists; {@link #identify} completes the record once it does. */
    static void record(Path runDirectory, Path block) throws IOException {
        Path folder = Files.createDirectories(runDirectory.resolve(FOLDER));
        Files.writeString(folder.resolve(block.getFileName().toString()), block.toAbsolutePath() + "\n",
                StandardCharsets.UTF_8);
    }

    static void forget(Path runDirectory, Path block) {
        try {
            Files.deleteIfExists(runDirectory.resolve(FOLDER).resolve(block.getFileName().toString()));
        } catch (IOException e) {
            // The run's directory is going away; so does the marker.
        }
    }

    /** Unlinks every block recorded in {@code runDirectory} that is still the file recorded. */
    static void removeAll(Path runDirectory) {
        Path folder = runDirectory.resolve(FOLDER);
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (DirectoryStream<Path> markers = Files.newDirectoryStream(folder)) {
            for (Path marker : markers) {
                try {
                    String[] lines = Files.readString(marker, StandardCharsets.UTF_8).split("\n");
                    Path block = Path.of(lines[0]);
                    String identity = lines.length > 1 ? lines[1] : null;
                    // Made by this run, not yet identified (a crash between): the file, if any, is the run's.
                    if (identity == null || identity.equals(identity(block))) {
                        Files.deleteIfExists(block);
                    }
                } catch (IOException | RuntimeException e) {
                    // A marker we cannot read names nothing we can safely remove.
                }
            }
        } catch (IOException e) {
            // Nothing to remove, or no permission to look.
        }
    }

    /** Adds the identity of the file {@code block} now is to its record. */
    static void identify(Path runDirectory, Path block) throws IOException {
        Path marker = runDirectory.resolve(FOLDER).resolve(block.getFileName().toString());
        Files.writeString(marker, block.toAbsolutePath() + "\n" + identity(block) + "\n", StandardCharsets.UTF_8);
    }

    private static String identity(Path file) throws IOException {
        Object key = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        return Objects.toString(key);
    }
}
