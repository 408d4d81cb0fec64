package dev.spindle.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A Unix-domain socket file nobody is bound to any more: what a crashed server leaves. Replaced
 * before binding, as SO_REUSEADDR does for TCP; a live server's socket, or any other kind of file,
 * stays (and the bind then reports the address in use).
 */
final class StaleSocketFile {

    /** Tries to reach whoever is bound at the path; throws when nobody is. */
    interface Probe {
        void reach(Path path) throws IOException;
    }

    private StaleSocketFile() {
    }

    /** Removes the socket file at {@code path} when {@code probe} finds nobody there. */
    static void removeIfDead(Path path, Probe probe) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException absent) {
            return;
        }
        if (!attributes.isOther()) {
            return;
        }
        try {
            probe.reach(path);
        } catch (IOException nobody) {
            Files.deleteIfExists(path);
        }
    }
}
