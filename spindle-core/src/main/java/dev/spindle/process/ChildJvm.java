package dev.spindle.process;

import dev.spindle.process.wire.MessageChannel;
import dev.spindle.process.wire.Hub;
import dev.spindle.process.wire.Peer;

import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.JarFile;

/**
 * A child JVM being launched or running: the operating-system process, and its link: the
 * {@link Peer} it connects back on, whose object 0 is its {@link ChildLink}.
 *
 * <p>The child is the parent's own {@code java} with the parent's class path, running
 * {@link ChildMain}. Its standard output and error are the parent's; its standard input is a pipe
 * from the parent that carries the bootstrap (the run's key among it, so the key never shows on a
 * command line) and then stays open: the child reads end-of-file there exactly when its parent
 * has died, however it died.
 */
final class ChildJvm {

    static final int BOOTSTRAP_MAGIC = 0x5350494e;
    private static final System.Logger LOG = System.getLogger(ChildJvm.class.getName());
    private static final AtomicLong TOKENS = new AtomicLong();
    private static final List<String> COMMAND = command();

    final java.lang.Process os;
    /** Completes once the child has connected back and authenticated. */
    final CompletableFuture<Peer> peer;
    final ChildLink link;

    private ChildJvm(java.lang.Process os, CompletableFuture<Peer> peer, ChildLink link) {
        this.os = os;
        this.peer = peer;
        this.link = link;
    }

    /**
     * Launches a child JVM; it connects back to {@code hub} in the background. A standby child
     * warms up first and then waits for a task.
     */
    static ChildJvm launch(Hub hub, boolean standby) throws IOException {
        long token = TOKENS.incrementAndGet();
        CompletableFuture<dev.spindle.process.wire.MessageChannel> channel = hub.expect(token);
        ProcessBuilder builder = new ProcessBuilder(COMMAND)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        java.lang.Process os;
        try {
            os = builder.start();
        } catch (IOException e) {
            channel.cancel(false);
            throw new IOException("cannot start a child JVM (" + COMMAND.get(0) + "): " + e.getMessage(), e);
        }
        try {
            OutputStream stdin = os.getOutputStream();
            DataOutputStream out = new DataOutputStream(stdin);
            out.writeInt(BOOTSTRAP_MAGIC);
            out.write(hub.run().key());
            out.writeUTF(hub.address().toString());
            out.writeUTF(hub.run().directory().toString());
            out.writeLong(token);
            out.writeLong(hub.run().identity().pid());
            out.writeBoolean(standby);
            out.flush();
        } catch (IOException e) {
            os.destroyForcibly();
            channel.cancel(false);
            throw new IOException("the child JVM " + os.pid() + " died before it read its bootstrap", e);
        }
        // The child's channel fails as soon as the child dies before connecting, not at a timeout.
        os.onExit().thenRun(() -> channel.completeExceptionally(new IOException(
                "the child JVM " + os.pid() + " exited with code " + os.exitValue()
                        + " before connecting back; its standard error says why")));
        ChildLink link = new ChildLink();
        CompletableFuture<Peer> peer = channel.thenApply(c -> {
            Peer started = Peer.start(c, os.pid(), link);
            return started;
        });
        return new ChildJvm(os, peer, link);
    }

    /** The command line every child runs. */
    static List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classPath = System.getProperty("java.class.path");
        Path archive = sharedArchive(classPath);
        if (archive != null) {
            command.add("-XX:+AutoCreateSharedArchive");
            command.add("-XX:SharedArchiveFile=" + archive);
        }
        command.add("-Xlog:cds*=off");
        command.add("-Xlog:os+container=off");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(classPath);
        command.add(ChildMain.class.getName());
        return List.copyOf(command);
    }

    /**
     * Where the children's class-data-sharing archive lives: one per JDK and class path, in this
     * user's cache directory ({@code $XDG_CACHE_HOME/spindle/cds}, else {@code ~/.cache/spindle/cds}),
     * which only this user may write. The JVM creates the archive when missing or stale (the first
     * child to exit writes it) and maps it otherwise. Null, and no archive, when the class path holds
     * a directory (the JVM cannot archive one, and would fail the child's exit code over it), or
     * when the directory is not safe: another user could then plant the archive this user's JVMs map.
     */
    static Path sharedArchive(String classPath) {
        return sharedArchive(classPath, cacheRoot());
    }

    static Path sharedArchive(String classPath, Path cacheRoot) {
        if (classPath == null || classPath.isEmpty() || cacheRoot == null || !onlyJars(classPath)) {
            return null;
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((System.getProperty("java.home") + '\n' + System.getProperty("java.vm.version") + '\n'
                    + classPath).getBytes(StandardCharsets.UTF_8));
            String prefix = HexFormat.of().formatHex(digest.digest(), 0, 12);
            // The jars' sizes and times name the archive too: the JVM does not remake an archive whose
            // jars were rebuilt, it only stops using it, so each build gets an archive of its own.
            MessageDigest jars = MessageDigest.getInstance("SHA-256");
            for (String entry : classPath.split(java.io.File.pathSeparator)) {
                Path jar = Path.of(entry);
                jars.update((Files.size(jar) + ":" + Files.getLastModifiedTime(jar).toMillis() + '\n')
                        .getBytes(StandardCharsets.UTF_8));
            }
            String name = prefix + "-" + HexFormat.of().formatHex(jars.digest(), 0, 6) + ".jsa";
            Path directory = cacheRoot.resolve("spindle").resolve("cds");
            if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(directory,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            String unsafe = unsafeBecause(directory);
            if (unsafe != null) {
                LOG.log(System.Logger.Level.WARNING, "child JVMs start without class-data sharing: " + directory
                        + " " + unsafe + "; make it a directory of yours that only you can write (chmod 700)");
                return null;
            }
            forgetOlderBuilds(directory, prefix, name);
            return directory.resolve(name);
        } catch (IOException | NoSuchAlgorithmException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** Deletes the archives of this class path's earlier builds: nothing maps them any more. */
    private static void forgetOlderBuilds(Path directory, String prefix, String current) {
        try (java.util.stream.Stream<Path> archives = Files.list(directory)) {
            for (Path old : archives.filter(p -> p.getFileName().toString().startsWith(prefix)
                    && !p.getFileName().toString().equals(current)).toList()) {
                Files.deleteIfExists(old);
            }
        } catch (IOException e) {
            // Only space is lost.
        }
    }

    /** Why another user could write into {@code directory}, or null when only its owner, this user, can. */
    static String unsafeBecause(Path directory) throws IOException {
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            return "is not a directory (or is a symbolic link)";
        }
        UserPrincipal me = directory.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName(System.getProperty("user.name"));
        UserPrincipal owner = Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS);
        if (!owner.equals(me)) {
            return "belongs to " + owner.getName() + ", not to " + me.getName();
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(directory, LinkOption.NOFOLLOW_LINKS);
        if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
            return "can be written by others (mode " + PosixFilePermissions.toString(mode) + ")";
        }
        return null;
    }

    /** This user's cache directory: {@code $XDG_CACHE_HOME} when set to an absolute path, else {@code ~/.cache}. */
    private static Path cacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && xdg.startsWith("/")) {
            return Path.of(xdg);
        }
        String home = System.getProperty("user.home");
        return home == null || home.isEmpty() || home.equals("?") ? null : Path.of(home, ".cache");
    }

    private static boolean onlyJars(String classPath) {
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!entry.endsWith(".jar") || !Files.isRegularFile(Path.of(entry))) {
                return false;
            }
            try (JarFile jar = new JarFile(entry)) {
                var manifest = jar.getManifest();
                String more = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
                if (more != null) {
                    for (String url : more.trim().split("\\s+")) {
                        if (url.endsWith("/")) {
                            return false;
                        }
                    }
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
