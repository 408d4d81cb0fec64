package dev.spindle.ignite;

import dev.spindle.process.JavaSerializer;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;
import org.apache.ignite.configuration.AtomicConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.logger.java.JavaLogger;
import org.apache.ignite.spi.communication.tcp.TcpCommunicationSpi;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.apache.ignite.spi.discovery.tcp.ipfinder.vm.TcpDiscoveryVmIpFinder;
import org.apache.ignite.ssl.SslContextFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * One started Ignite member, a server node or a client, configured from {@link ClusterSettings}
 * the one secure way: TLS 1.3 between all members with the cluster's certificates (a member
 * without one is refused), discovery by the static address list only, no peer class loading, no
 * thin-client or REST port, Ignite's marshaller limited to the allow-list, and a work directory of
 * its own that {@link #close()} deletes.
 */
final class Member implements AutoCloseable {

    /** The node attributes that name a member in {@code spindle cluster status}. */
    static final String IDENTITY = "spindle.identity";
    static final String ADDRESS = "spindle.address";
    /** The start of a member's work directory's name, then its JVM's pid. */
    private static final String WORK_PREFIX = "spindle-ignite-";
    /** Backups of every cache, queue and lock: one node may leave without losing data. */
    static final int BACKUPS = 1;

    /** Each member's allow-list, by Ignite instance: what the jobs on a node read tasks with. */
    private static final Map<String, JavaSerializer> SERIALIZERS = new ConcurrentHashMap<>();

    private final Ignite ignite;
    private final Path workDirectory;

    private Member(Ignite ignite, Path workDirectory) {
        this.ignite = ignite;
        this.workDirectory = workDirectory;
    }

    /**
     * Starts a member and joins the cluster.
     *
     * @throws MissingJvmFlagsException when this JVM cannot run Ignite
     * @throws ClusterJoinException     when it cannot join: nobody answered, or its certificate was refused
     */
    static Member start(ClusterSettings settings, boolean server) throws IOException {
        IgniteJvm.require();
        Path dir = settings.directory();
        char[] password = ClusterCertificates.password(dir);
        Path keyStore = ClusterCertificates.keyStore(dir, settings.identity());
        Path trustStore = ClusterCertificates.trustStore(dir);
        sweepAbandonedWorkDirectories();
        Path work = Files.createTempDirectory(WORK_PREFIX + ProcessHandle.current().pid() + "-" + settings.identity() + "-");
        try {
            allowOnly(settings, work);
            IgniteConfiguration config = configuration(settings, server, work, keyStore, trustStore, password);
            SERIALIZERS.put(config.getIgniteInstanceName(), settings.serializer());
            try {
                return new Member(Ignition.start(config), work);
            } catch (RuntimeException e) {
                SERIALIZERS.remove(config.getIgniteInstanceName());
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            deleteTree(work);
            if (e instanceof MissingJvmFlagsException m) {
                throw m;
            }
            throw new ClusterJoinException(explain(settings, e), e);
        }
    }

    private static IgniteConfiguration configuration(ClusterSettings settings, boolean server, Path work,
                                                     Path keyStore, Path trustStore, char[] password) {
        SslContextFactory tls = new SslContextFactory();
        tls.setKeyStoreType("PKCS12");
        tls.setKeyStoreFilePath(keyStore.toString());
        tls.setKeyStorePassword(password);
        tls.setTrustStoreType("PKCS12");
        tls.setTrustStoreFilePath(trustStore.toString());
        tls.setTrustStorePassword(password);
        tls.setProtocols("TLSv1.3");

        TcpDiscoveryVmIpFinder finder = new TcpDiscoveryVmIpFinder();
        finder.setAddresses(settings.join());
        TcpDiscoverySpi discovery = new TcpDiscoverySpi();
        discovery.setIpFinder(finder);
        discovery.setJoinTimeout(settings.joinTimeout().toMillis());
        TcpCommunicationSpi communication = new TcpCommunicationSpi();
        if (server) {
            discovery.setLocalAddress(settings.host());
            discovery.setLocalPort(settings.port());
            discovery.setLocalPortRange(0); // the address given, or fail: members join through the list
            communication.setLocalAddress(settings.host());
            communication.setLocalPort(settings.port() + 100);
        }
        communication.setLocalPortRange(100);

        Logger log = Logger.getLogger("org.apache.ignite");
        log.setLevel(Level.WARNING);
        IgniteConfiguration c = new IgniteConfiguration()
                .setIgniteInstanceName(settings.identity() + "-" + UUID.randomUUID())
                .setClientMode(!server)
                .setWorkDirectory(work.toString())
                .setPeerClassLoadingEnabled(false)
                .setMetricsLogFrequency(0)
                .setSslContextFactory(tls)
                .setDiscoverySpi(discovery)
                .setCommunicationSpi(communication)
                .setClientConnectorConfiguration(null)
                .setConnectorConfiguration(null)
                .setAtomicConfiguration(new AtomicConfiguration().setBackups(BACKUPS))
                .setUserAttributes(Map.of(IDENTITY, settings.identity(), ADDRESS, server ? settings.address() : "-"))
                .setGridLogger(new JavaLogger(log, false));
        return c;
    }

    /**
     * Ignite's marshaller reads only the allow-listed classes (its own and the JDK's are added by
     * Ignite): a file named by a system property, read once per JVM as the first member starts.
     */
    private static void allowOnly(ClusterSettings settings, Path work) throws IOException {
        List<String> lines = new ArrayList<>(List.of("# classes Ignite may read here: spindle's, and those allowed",
                "dev.spindle.*", "java.lang.invoke.SerializedLambda"));
        lines.addAll(settings.allow());
        Path file = work.resolve("allowed-classes.txt");
        Files.write(file, lines, StandardCharsets.UTF_8);
        System.setProperty("IGNITE_MARSHALLER_WHITELIST", file.toString());
        System.setProperty("IGNITE_UPDATE_NOTIFIER", "false");
        System.setProperty("IGNITE_NO_ASCII", "true");
        // Not quiet: quiet mode prints Ignite's notes to stdout; this way they go to the log, at WARNING.
        System.setProperty("IGNITE_QUIET", "false");
        System.setProperty("IGNITE_PERFORMANCE_SUGGESTIONS_DISABLED", "true");
        // Ignite installs a JVM-wide filter for plain Java deserialization unless told not to; Spindle
        // filters its own streams, and a program's are its own business.
        System.setProperty("IGNITE_ENABLE_OBJECT_INPUT_FILTER_AUTOCONFIGURATION", "false");
    }

    private static String explain(ClusterSettings settings, Exception e) {
        Throwable root = e;
        boolean tls = false;
        boolean bind = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            tls |= t instanceof javax.net.ssl.SSLException || m.contains("secure connection");
            bind |= t instanceof java.net.BindException || m.contains("Failed to bind");
            root = t;
        }
        String why = root.getClass().getSimpleName() + ": " + root.getMessage();
        if (tls) {
            return "the cluster at " + settings.join() + " refused " + settings.identity() + "'s certificate, or "
                    + "speaks no TLS: give the directory the cluster's 'spindle cluster init' made (" + why + ")";
        }
        if (bind) {
            return settings.identity() + " cannot listen on " + settings.address() + ": the port is taken; choose "
                    + "another with --address (" + why + ")";
        }
        return settings.identity() + " could not join the cluster at " + settings.join() + " within "
                + settings.joinTimeout() + ": is a node running there? (" + why + ")";
    }

    Ignite ignite() {
        return ignite;
    }

    /**
     * This JVM's member, for a shared object read from bytes: the only one here, or, in a JVM with
     * several (a test's), the one whose thread this is.
     */
    static Ignite local() {
        List<Ignite> here = Ignition.allGrids();
        return here.size() == 1 ? here.getFirst() : Ignition.localIgnite();
    }

    /**
     * A shared object of this JVM's member, found by {@code find}: how a map, queue or lock read
     * from bytes (captured by a task) reaches the object its copy names.
     *
     * @throws IllegalStateException when the object is gone: its manager was closed
     */
    static <T> T lookUp(String kind, String name, java.util.function.Function<Ignite, T> find) {
        T found = find.apply(local());
        if (found == null) {
            throw new IllegalStateException("the shared " + kind + " " + name + " is gone: its manager was closed");
        }
        return found;
    }

    /** The members of the cluster now, servers first, each by its name and address. */
    List<ClusterMember> members() {
        return ignite.cluster().nodes().stream()
                .map(n -> new ClusterMember(String.valueOf(n.<String>attribute(IDENTITY)),
                        String.valueOf(n.<String>attribute(ADDRESS)), !n.isClient()))
                .sorted(Comparator.comparing((ClusterMember m) -> !m.server()).thenComparing(ClusterMember::identity))
                .toList();
    }

    /**
     * The serializer a job on {@code ignite} reads its task with: the member's allow-list, widened
     * by the classes whose code the task runs (loaded, not initialized, to be named).
     *
     * @throws IllegalArgumentException when a code class is not on this node's class path
     */
    static JavaSerializer serializerOf(Ignite ignite, List<String> codeClasses) {
        JavaSerializer base = SERIALIZERS.get(ignite.name());
        if (base == null) {
            throw new IllegalStateException("no Spindle member runs as " + ignite.name());
        }
        ClassLoader loader = Member.class.getClassLoader();
        List<Class<?>> code = new ArrayList<>();
        for (String name : codeClasses) {
            try {
                code.add(Class.forName(name, false, loader));
            } catch (ClassNotFoundException e) {
                throw new IllegalArgumentException("node " + ignite.cluster().localNode().attribute(IDENTITY)
                        + " has no class " + name + ": put the task's classes on every node's class path", e);
            }
        }
        return base.allow(code.toArray(Class<?>[]::new));
    }

    /** Leaves the cluster, cancelling this member's running jobs, and deletes its work directory. */
    @Override
    public void close() {
        try {
            Ignition.stop(ignite.name(), true);
        } finally {
            SERIALIZERS.remove(ignite.name());
            deleteTree(workDirectory);
            sweepAbandonedWorkDirectories(); // a member killed while this one ran left its own
        }
    }

    /**
     * Deletes the work directories of members whose JVM is gone: a killed member cannot delete its
     * own. Each is named after its JVM's pid; only this user's, in this JVM's temporary directory.
     */
    static void sweepAbandonedWorkDirectories() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> dirs = Files.list(tmp)) {
            for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith(WORK_PREFIX)).toList()) {
                String rest = dir.getFileName().toString().substring(WORK_PREFIX.length());
                int dash = rest.indexOf('-');
                if (dash <= 0) {
                    continue;
                }
                try {
                    long pid = Long.parseLong(rest.substring(0, dash));
                    boolean mine = Files.getOwner(dir).getName().equals(System.getProperty("user.name"));
                    if (mine && ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
                        deleteTree(dir);
                    }
                } catch (NumberFormatException | IOException e) {
                    // not one of ours, or gone already
                }
            }
        } catch (IOException e) {
            // nothing to sweep
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort: a temp directory
        }
    }
}
