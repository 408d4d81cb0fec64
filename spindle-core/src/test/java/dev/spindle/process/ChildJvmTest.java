package dev.spindle.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where children's class-data-sharing archive may live: only where no other user can plant one. */
class ChildJvmTest {

    @TempDir
    Path dir;
    private String jarClassPath;

    @BeforeEach
    void aClassPathOfJarsOnly() throws Exception {
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.zip.ZipEntry("empty.txt"));
        }
        jarClassPath = jar.toString();
    }

    @Test
    void theArchiveGoesInAPrivateDirectoryOfTheUsersCacheMadeOnFirstUse() throws Exception {
        Path cache = dir.resolve("cache");
        Path archive = ChildJvm.sharedArchive(jarClassPath, cache);
        assertThat(archive).isNotNull().hasParentRaw(cache.resolve("spindle").resolve("cds"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(archive.getParent())))
                .isEqualTo("rwx------");
        assertThat(ChildJvm.sharedArchive(jarClassPath, cache)).as("the same archive next time").isEqualTo(archive);
    }

    @Test
    void aRebuiltJarGetsAnArchiveOfItsOwnAndTheOldOneIsDeleted() throws Exception {
        Path cache = dir.resolve("cache");
        Path first = ChildJvm.sharedArchive(jarClassPath, cache);
        Files.write(first, new byte[] {1}); // as the JVM would have written it
        Files.setLastModifiedTime(Path.of(jarClassPath),
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        Path second = ChildJvm.sharedArchive(jarClassPath, cache);
        assertThat(second).isNotEqualTo(first).hasParentRaw(first.getParent());
        assertThat(first).as("the old build's archive, which the JVM would no longer map").doesNotExist();
    }

    @Test
    void aDirectoryOthersCanWriteIsNotUsed() throws Exception {
        Path cache = dir.resolve("cache");
        Path cds = Files.createDirectories(cache.resolve("spindle").resolve("cds"));
        Files.setPosixFilePermissions(cds, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(ChildJvm.sharedArchive(jarClassPath, cache)).isNull();
        assertThat(ChildJvm.unsafeBecause(cds)).contains("can be written by others");
    }

    @Test
    void aSymbolicLinkInPlaceOfTheDirectoryIsNotFollowed() throws Exception {
        Path cache = dir.resolve("cache");
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.createDirectories(cache.resolve("spindle"));
        Files.createSymbolicLink(cache.resolve("spindle").resolve("cds"), elsewhere);
        assertThat(ChildJvm.sharedArchive(jarClassPath, cache)).isNull();
    }

    @Test
    void aDirectoryOfAnotherUserIsNotUsed() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "only root can give a directory away");
        Path cache = dir.resolve("cache");
        Path cds = Files.createDirectories(cache.resolve("spindle").resolve("cds"));
        Files.setOwner(cds, cds.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        assertThat(ChildJvm.sharedArchive(jarClassPath, cache)).isNull();
        assertThat(ChildJvm.unsafeBecause(cds)).contains("belongs to nobody");
    }

    @Test
    void aClassPathWithADirectoryGetsNoArchive() {
        assertThat(ChildJvm.sharedArchive(jarClassPath + java.io.File.pathSeparator + dir, dir.resolve("cache")))
                .isNull();
    }
}
