package dev.spindle.ignite;

import dev.spindle.process.JavaSerializer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where a cluster is and who this member is: its directory of certificates
 * ({@link ClusterCertificates}), its name there, the address it listens on, the addresses it joins
 * through, and which classes may cross. Immutable; {@link #builder} makes one.
 *
 * <h2>Settings and their defaults</h2>
 * <ul>
 *   <li>{@code identity}: the member's name, and the certificate it presents ({@code DIR/NAME.p12});
 *   default {@code client}. Each node needs a name of its own: {@code node-1}, {@code node-2}, ...</li>
 *   <li>{@code address}: a node's discovery address, {@code HOST:PORT}; default
 *   {@code 127.0.0.1:47500}. Its communication port is this port plus 100 (or the next free one of
 *   the hundred after it).</li>
 *   <li>{@code join}: the addresses of the nodes to join through, {@code HOST:PORT} or
 *   {@code HOST:PORT..PORT}; default {@code 127.0.0.1:47500..47509}. Never multicast.</li>
 *   <li>{@code allow}: packages and classes of yours that tasks, their arguments and results, and
 *   shared objects' contents may hold, beyond the JDK's value types and Spindle's own. Every member
 *   must allow the same.</li>
 *   <li>{@code failover}: {@link Failover#FAIL_FAST}.</li>
 *   <li>{@code joinTimeout}: how long joining may take before it fails; default 30 s.</li>
 * </ul>
 */
public final class ClusterSettings {

    private final Path directory;
    private final String identity;
    private final String address;
    private final List<String> join;
    private final List<String> allow;
    private final Failover failover;
    private final Duration joinTimeout;

    private ClusterSettings(Builder b) {
        this.directory = b.directory;
        this.identity = b.identity;
        this.address = b.address;
        this.join = List.copyOf(b.join);
        this.allow = List.copyOf(b.allow);
        this.failover = b.failover;
        this.joinTimeout = b.joinTimeout;
    }

    /** Settings for a member whose certificates are in {@code directory}. */
    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    public Path directory() {
        return directory;
    }

    public String identity() {
        return identity;
    }

    public String address() {
        return address;
    }

    String host() {
        return address.substring(0, address.lastIndexOf(':'));
    }

    int port() {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    public List<String> join() {
        return join;
    }

    public List<String> allow() {
        return allow;
    }

    public Failover failover() {
        return failover;
    }

    public Duration joinTimeout() {
        return joinTimeout;
    }

    /** The serializer whose allow-list tasks are checked against before they leave: Spindle's local one, widened by {@link #allow}. */
    JavaSerializer serializer() {
        // Ignite's own proxies (a queue, a lock) travel inside tasks that capture them.
        JavaSerializer s = JavaSerializer.defaults().allowPackage("org.apache.ignite");
        for (String pattern : allow) {
            s = pattern.endsWith(".*") ? s.allowPackage(pattern.substring(0, pattern.length() - 2)) : allowClass(s, pattern);
        }
        return s;
    }

    private static JavaSerializer allowClass(JavaSerializer s, String name) {
        try {
            return s.allow(Class.forName(name, false, Thread.currentThread().getContextClassLoader()));
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("allow: no class " + name + " here; give a class on this class path, "
                    + "or a package as 'com.example.*'", e);
        }
    }

    /** This member's settings under another name: a client of the same cluster, say. */
    public ClusterSettings withIdentity(String name) {
        Builder b = toBuilder();
        b.identity(name);
        return b.build();
    }

    private Builder toBuilder() {
        Builder b = new Builder(directory);
        b.identity = identity;
        b.address = address;
        b.join = new ArrayList<>(join);
        b.allow = new ArrayList<>(allow);
        b.failover = failover;
        b.joinTimeout = joinTimeout;
        return b;
    }

    @Override
    public String toString() {
        return identity + " at " + address + " joining " + join + " (" + directory + ")";
    }

    /** Builds {@link ClusterSettings}; not thread-safe. */
    public static final class Builder {
        private final Path directory;
        private String identity = "client";
        private String address = "127.0.0.1:47500";
        private List<String> join = new ArrayList<>(List.of("127.0.0.1:47500..47509"));
        private List<String> allow = new ArrayList<>();
        private Failover failover = Failover.FAIL_FAST;
        private Duration joinTimeout = Duration.ofSeconds(30);

        private Builder(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
        }

        public Builder identity(String name) {
            this.identity = Objects.requireNonNull(name, "name");
            return this;
        }

        /** A node's discovery address, {@code HOST:PORT}. */
        public Builder address(String hostAndPort) {
            requireHostAndPort(hostAndPort);
            this.address = hostAndPort;
            return this;
        }

        /** The nodes to join through, {@code HOST:PORT} or {@code HOST:PORT..PORT} each. */
        public Builder join(List<String> addresses) {
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("join: give at least one HOST:PORT of a node");
            }
            addresses.forEach(a -> requireHostAndPort(a.contains("..") ? a.substring(0, a.indexOf("..")) : a));
            this.join = new ArrayList<>(addresses);
            return this;
        }

        /** Packages ({@code com.example.*}) and classes of yours that may cross. */
        public Builder allow(String... patterns) {
            this.allow.addAll(List.of(patterns));
            return this;
        }

        public Builder failover(Failover failover) {
            this.failover = Objects.requireNonNull(failover, "failover");
            return this;
        }

        /** @throws IllegalArgumentException if {@code timeout} is not positive */
        public Builder joinTimeout(Duration timeout) {
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("joinTimeout must be positive, got " + timeout);
            }
            this.joinTimeout = timeout;
            return this;
        }

        public ClusterSettings build() {
            return new ClusterSettings(this);
        }

        private static void requireHostAndPort(String value) {
            int colon = value.lastIndexOf(':');
            try {
                int port = Integer.parseInt(value.substring(colon + 1));
                if (colon <= 0 || port < 1 || port > 65535) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + value + "' is not HOST:PORT with a port of 1 to 65535");
            }
        }
    }
}
