package dev.spindle.cli;

import dev.spindle.process.JavaSerializer;
import dev.spindle.process.manager.Manager;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code spindle manager}: a remote manager (Python's {@code BaseManager(address, authkey)}
 * {@code .get_server().serve_forever()}) that programs on other machines reach with
 * {@code Manager.connect}, and the key file it needs.
 */
@Command(name = "manager", mixinStandardHelpOptions = true,
        description = "Serve shared dicts, lists, queues and locks to other programs over TCP.",
        subcommands = {ManagerCommand.Serve.class, ManagerCommand.NewKey.class})
final class ManagerCommand {

    /** Shortest key accepted: a key is a password against which anyone who reaches the port may guess. */
    static final int MIN_KEY_BYTES = 16;

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = {"Serves a manager on TCP until Ctrl-C or SIGTERM. Clients prove the key in the key file "
                    + "(an HMAC challenge, before any object is read) and get the shared namespace, dicts, lists, "
                    + "queues and locks with dev.spindle.process.manager.Manager.connect(address, key).",
                    "Make a key file with: spindle manager new-key FILE",
                    "The traffic after the key is proven is not encrypted: serve on a trusted network, or reach the "
                            + "port through an SSH or TLS tunnel."})
    static final class Serve implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--host", description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every "
                + "interface, which lets other machines in).", defaultValue = "127.0.0.1")
        String host;

        @Option(names = "--port", paramLabel = "PORT", converter = WholeNumberConverter.Port.class,
                description = "TCP port (default: ${DEFAULT-VALUE}, Python's example's; 0 picks a free one).",
                defaultValue = "50000")
        int port;

        @Option(names = "--key-file", paramLabel = "FILE", required = true,
                description = "The key clients must prove: at least 16 bytes, readable by its owner only.")
        Path keyFile;

        @Option(names = "--allow-package", paramLabel = "PACKAGE",
                description = "Also accept values of classes in this package (repeatable); by default only the "
                        + "JDK's value types and collections are accepted.")
        List<String> allowedPackages = List.of();

        @Override
        public Integer call() throws Exception {
            byte[] key = readKey(spec, keyFile);
            JavaSerializer serializer = JavaSerializer.defaults();
            for (String p : allowedPackages) {
                serializer = serializer.allowPackage(p);
            }
            InetSocketAddress address;
            try {
                address = new InetSocketAddress(InetAddress.getByName(host), port);
            } catch (UnknownHostException e) {
                throw new ParameterException(spec.commandLine(), "--host " + host + " is not an address this machine "
                        + "can resolve: " + e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            CountDownLatch stop = new CountDownLatch(1);
            try (Manager manager = Manager.builder().serializer(serializer).serve(address, key)) {
                Signal.handle(new Signal("INT"), signal -> stop.countDown());
                Signal.handle(new Signal("TERM"), signal -> stop.countDown());
                InetSocketAddress bound = manager.address().orElseThrow();
                out.println("spindle manager: listening on " + bound.getAddress().getHostAddress() + ":"
                        + bound.getPort() + " (pid " + manager.pid() + ")");
                out.println("  connect:  Manager.connect(new InetSocketAddress(\"" + bound.getAddress().getHostAddress()
                        + "\", " + bound.getPort() + "), key), then manager.shared() to find what others share");
                out.println("  stop it:  Ctrl-C (or kill -TERM " + manager.pid() + ")");
                out.flush();
                stop.await();
            } catch (java.net.BindException e) {
                throw new IOException("cannot listen on " + host + ":" + port + ": " + e.getMessage()
                        + "; pick another --port (0 picks a free one)", e);
            }
            out.println("spindle manager: stopped");
            out.flush();
            return 0;
        }
    }

    @Command(name = "new-key", mixinStandardHelpOptions = true,
            description = "Writes a new random 32-byte key to FILE, readable by its owner only.")
    static final class NewKey implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "Where to write the key; must not exist yet.")
        Path file;

        @Override
        public Integer call() throws Exception {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (FileAlreadyExistsException e) {
                throw new IOException(file + " exists already; a key file is never overwritten: remove it first "
                        + "or name another", e);
            }
            Files.write(file, key);
            spec.commandLine().getOut().println("spindle manager: wrote a new key to " + file);
            return 0;
        }
    }

    /** The key in {@code file}, refused if it is short or others may read it (as ssh refuses a private key). */
    static byte[] readKey(CommandSpec spec, Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ParameterException(spec.commandLine(), "--key-file " + file + " is not a file; make one with: "
                    + "spindle manager new-key " + file);
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        if (permissions.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
            throw new ParameterException(spec.commandLine(), "--key-file " + file + " may be read by others ("
                    + PosixFilePermissions.toString(permissions) + "): anyone who reads it can use the manager; "
                    + "run chmod 600 " + file);
        }
        byte[] key = Files.readAllBytes(file);
        if (key.length < MIN_KEY_BYTES) {
            throw new ParameterException(spec.commandLine(), "--key-file " + file + " holds " + key.length
                    + " bytes; a key needs at least " + MIN_KEY_BYTES + " (make one with: spindle manager new-key FILE)");
        }
        return key;
    }
}
