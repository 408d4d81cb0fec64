package dev.spindle.cli;

import dev.spindle.codec.Framing;
import dev.spindle.net.DatagramHandler;
import dev.spindle.net.DatagramServer;
import dev.spindle.net.DatagramServerBuilder;
import dev.spindle.net.EchoProtocol;
import dev.spindle.net.Protocol;
import dev.spindle.net.Model;
import dev.spindle.net.StreamServer;
import dev.spindle.net.StreamServerBuilder;
import dev.spindle.net.Tls;
import dev.spindle.net.WhenFull;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sun.misc.Signal;

import java.io.PrintWriter;
import java.io.Serializable;
import java.util.function.Supplier;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code spindle serve}: the seeds' echo, upper-case and file-transfer servers under any model. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs an echo, upper-case or file-upload server until Ctrl-C or SIGTERM, then prints its stats.",
                "Talk to it with 'spindle client', nc, or the seeds' Python clients."})
final class ServeCommand implements Callable<Integer> {

    enum Mode { echo, upper, files }

    /** The --model values, from {@link Model#names()}. */
    static final class ModelNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Model.names().iterator();
        }
    }

    /** Turns a --model value into the model with its defaults; the message names the choices. */
    static final class ModelConverter implements picocli.CommandLine.ITypeConverter<Model> {
        @Override
        public Model convert(String value) {
            try {
                return Model.of(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Turns a --when-full value into the policy, case-insensitively. */
    static final class WhenFullConverter implements picocli.CommandLine.ITypeConverter<WhenFull> {
        @Override
        public WhenFull convert(String value) {
            for (WhenFull policy : WhenFull.values()) {
                if (policy.name().equalsIgnoreCase(value)) {
                    return policy;
                }
            }
            throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a policy; choose wait or refuse");
        }
    }

    enum FramingName { raw, line, length4le, length4be }

    /** What the server listens on: stream or datagram sockets, over TCP/UDP or a Unix-domain socket file. */
    enum Transport {
        tcp(false, false), udp(true, false), unix(false, true), unixgram(true, true);

        final boolean datagrams;
        final boolean unixDomain;

        Transport(boolean datagrams, boolean unixDomain) {
            this.datagrams = datagrams;
            this.unixDomain = unixDomain;
        }
    }

    @Spec
    CommandSpec spec;

    @Mixin
    AddressOptions where = new AddressOptions();

    @Option(names = "--transport", paramLabel = "KIND",
            description = {"What to listen on: ${COMPLETION-CANDIDATES}: TCP or UDP on --host/--port, a Unix-domain "
                    + "stream or datagram socket at --unix (default: tcp, or unix when --unix is given)."})
    Transport transport;

    @Option(names = "--tls", description = {"Serve TLS 1.3 and 1.2 (tcp and unix): with --cert and --key, those; "
            + "without, a self-signed certificate made at start for --host, localhost and 127.0.0.1, whose SHA-256 "
            + "fingerprint is printed."})
    boolean tls;

    @Option(names = "--cert", paramLabel = "FILE", description = "The certificate chain to serve, PEM (implies --tls).")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "The certificate's private key, PEM, unencrypted (implies --tls).")
    Path key;

    @Option(names = "--model", paramLabel = "MODEL", completionCandidates = ModelNames.class,
            description = "Concurrency model: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            defaultValue = "virtual", converter = ModelConverter.class)
    Model model;

    @Option(names = "--loops", paramLabel = "N", converter = WholeNumberConverter.Positive.class,
            description = "Selector loops of the event-loop model (default: one per core).")
    Integer loops;

    @Option(names = "--workers", paramLabel = "N", converter = WholeNumberConverter.Positive.class,
            description = "Worker JVMs of the process model, sharing the port (default: one per core).")
    Integer workers;

    @Option(names = "--inner", paramLabel = "MODEL", converter = ModelConverter.class,
            description = "The model each worker of the process model serves under (default: virtual).")
    Model inner;

    @Option(names = "--pool-size", paramLabel = "N", converter = WholeNumberConverter.Positive.class,
            description = "Threads of the pool model (default: " + Model.DEFAULT_POOL_THREADS + ").")
    Integer poolSize;

    @Option(names = "--pool-queue", paramLabel = "N", converter = WholeNumberConverter.NonNegative.class,
            description = "Connections that may wait for a pool thread (default: " + Model.DEFAULT_POOL_QUEUE + ").")
    Integer poolQueue;

    @Option(names = "--when-full", paramLabel = "POLICY", converter = WhenFullConverter.class,
            description = {"What a full server (--max-connections, or a pool's threads and queue) does with a new "
                    + "connection: wait (leave it in the listen backlog until a connection ends, as Python's servers do) "
                    + "or refuse (accept and close it at once) (default: wait)."}, defaultValue = "wait")
    WhenFull whenFull;

    @Option(names = "--mode", description = "What the server does: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            defaultValue = "echo")
    Mode mode;

    @Option(names = "--dir", paramLabel = "DIR", converter = DirectoryConverter.class,
            description = "Where --mode files stores uploads (default: ${DEFAULT-VALUE}).",
            defaultValue = "uploads")
    Path dir;

    @Option(names = "--max-file-size", paramLabel = "BYTES", converter = WholeNumberConverter.ByteCount.class,
            description = "Largest upload --mode files accepts (default: ${DEFAULT-VALUE}).", defaultValue = "4294967296")
    long maxFileSize;

    @Option(names = "--framing", description = "Message framing for echo and upper: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            defaultValue = "raw")
    FramingName framing;

    @Option(names = "--max-connections", paramLabel = "N", converter = WholeNumberConverter.Positive.class,
            description = "Refuse connections beyond this many open ones (default: unlimited).")
    Integer maxConnections;

    @Option(names = "--input-budget", paramLabel = "SIZE", converter = ByteSizeConverter.class,
            description = "Most input held for unfinished frames across all connections, e.g. 64m or 1g; a connection "
                    + "that would pass it is closed and logged (default: a quarter of the heap).")
    Long inputBudget;

    @Option(names = "--idle-timeout", paramLabel = "DURATION",
            description = "Close a connection that sends or takes nothing for this long, e.g. 30s (default: none).")
    Duration idleTimeout;

    @Option(names = "--grace", paramLabel = "DURATION",
            description = "How long handlers may finish after Ctrl-C (default: ${DEFAULT-VALUE}).", defaultValue = "5s")
    Duration grace;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Transport chosen = transport();
        if (chosen.datagrams) {
            if (tlsWanted()) {
                throw new ParameterException(spec.commandLine(), "--tls is for streams (tcp, unix); datagrams "
                        + "would need DTLS, which spindle does not offer");
            }
            return serveDatagrams(out, chosen);
        }
        TlsMaterial.Identity identity = tlsWanted() ? identity() : null;
        StreamServerBuilder builder = StreamServer.builder()
                .name("spindle-serve")
                .bind(address())
                .model(model())
                .whenFull(whenFull)
                .shutdownGrace(grace);
        if (framing != FramingName.raw) {
            builder.framing(framing());
        }
        if (mode == Mode.files) {
            if (!model.runsBlockingHandlers()) {
                throw new ParameterException(spec.commandLine(),
                        "--mode files streams uploads to disk with blocking writes; choose a blocking --model "
                                + "(sync, thread, pool or virtual)");
            }
            builder.handler(new FileUploadHandler(dir, maxFileSize));
        } else {
            boolean upper = mode == Mode.upper;
            Framing frames = framing();
            // Serializable, so that the process model's workers can make it too.
            builder.protocol(framing == FramingName.raw
                    ? (Supplier<Protocol> & Serializable) () -> new EchoProtocol(upper)
                    : () -> EchoProtocol.framed(frames, upper));
        }
        if (maxConnections != null) {
            builder.maxConnections(maxConnections);
        }
        if (idleTimeout != null) {
            builder.idleTimeout(idleTimeout);
        }
        if (inputBudget != null) {
            builder.inputBudget(inputBudget);
        }
        if (identity != null) {
            builder.tls(Tls.server(identity.serverContext()));
        }
        try (StreamServer server = builder.open()) {
            Runnable stop = () -> Thread.ofPlatform().name("spindle-serve-stop").start(() -> server.shutdown(grace));
            Signal.handle(new Signal("INT"), signal -> stop.run());
            Signal.handle(new Signal("TERM"), signal -> stop.run());
            out.println("spindle serve: " + mode + " server (model " + server.model() + ", framing " + framing
                    + ") listening on " + describe(server.localAddress(), chosen));
            if (identity != null) {
                out.println("  TLS:        " + (cert == null ? "self-signed certificate for " + selfSignedNames() : cert)
                        + "; SHA-256 fingerprint " + identity.fingerprint());
            }
            out.println("  talk to it: " + howToTalk(server.localAddress(), chosen));
            out.println("  stop it:    Ctrl-C (or kill -TERM " + ProcessHandle.current().pid() + ")");
            out.flush();
            server.serveForever();
            server.shutdown(grace);
            out.println("spindle serve: stopped; " + server.stats());
            out.flush();
        }
        return 0;
    }

    private boolean tlsWanted() {
        return tls || cert != null || key != null;
    }

    /** The names a self-signed certificate is made for: --host, localhost and the loopback addresses. */
    private java.util.List<String> selfSignedNames() {
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>(
                java.util.List.of(where.host, "localhost", "127.0.0.1", "::1"));
        return java.util.List.copyOf(names);
    }

    /** The key and certificate to serve: the PEM files given, or a self-signed pair made now. */
    private TlsMaterial.Identity identity() throws Exception {
        if ((cert == null) != (key == null)) {
            throw new ParameterException(spec.commandLine(), "give both --cert and --key, or neither for a "
                    + "self-signed certificate");
        }
        if (cert == null) {
            return TlsMaterial.selfSigned(selfSignedNames(), java.time.Duration.ofDays(30));
        }
        try {
            return TlsMaterial.fromPem(cert, key);
        } catch (IllegalArgumentException | java.nio.file.NoSuchFileException e) {
            throw new ParameterException(spec.commandLine(), e instanceof java.nio.file.NoSuchFileException
                    ? "no such file: " + e.getMessage() : e.getMessage());
        }
    }

    /** The --transport given, or the one --unix implies; refuses an address of the other kind. */
    private Transport transport() {
        boolean unixPath = where.where.unix != null;
        Transport chosen = transport != null ? transport : unixPath ? Transport.unix : Transport.tcp;
        if (chosen.unixDomain && !unixPath) {
            throw new ParameterException(spec.commandLine(), "--transport " + chosen + " needs --unix PATH");
        }
        if (!chosen.unixDomain && unixPath) {
            throw new ParameterException(spec.commandLine(), "--unix is for --transport unix or unixgram, not " + chosen);
        }
        return chosen;
    }

    /** The seeds' UDPServer and UnixDatagramServer: each datagram echoed, or upper-cased, to its sender. */
    private int serveDatagrams(PrintWriter out, Transport chosen) throws Exception {
        if (mode == Mode.files) {
            throw new ParameterException(spec.commandLine(), "--mode files needs a stream: choose --transport tcp or unix");
        }
        if (framing != FramingName.raw) {
            throw new ParameterException(spec.commandLine(), "--framing does not apply to datagrams: each datagram is "
                    + "one message; leave it at raw for --transport " + chosen);
        }
        DatagramServerBuilder builder = DatagramServer.builder().name("spindle-serve")
                .model(model())
                .whenFull(whenFull)
                .shutdownGrace(grace)
                .handler(DatagramHandler.echo(mode == Mode.upper));
        if (maxConnections != null) {
            builder.maxInFlight(maxConnections);
        }
        if (chosen.unixDomain) {
            builder.bindUnix(where.where.unix);
        } else {
            builder.bind(address());
        }
        DatagramServer server;
        try {
            server = builder.open();
        } catch (UnsupportedOperationException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try (server) {
            Runnable stop = () -> Thread.ofPlatform().name("spindle-serve-stop").start(() -> server.shutdown(grace));
            Signal.handle(new Signal("INT"), signal -> stop.run());
            Signal.handle(new Signal("TERM"), signal -> stop.run());
            out.println("spindle serve: " + mode + " server (" + chosen + ", model " + server.model()
                    + ") listening on " + describe(server.localAddress(), chosen));
            out.println("  talk to it: " + howToTalk(server.localAddress(), chosen));
            out.println("  stop it:    Ctrl-C (or kill -TERM " + ProcessHandle.current().pid() + ")");
            out.flush();
            server.serveForever();
            out.println("spindle serve: stopped; " + server.stats());
            out.flush();
        }
        return 0;
    }

    private SocketAddress address() {
        try {
            return where.address();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** The --model with the tuning options given; an option the model has no use for is refused by name. */
    private Model model() {
        Model tuned = model;
        try {
            if (loops != null) {
                tuned = requireModel(tuned, "event-loop", "--loops").withThreads(loops);
            }
            if (poolSize != null) {
                tuned = requireModel(tuned, "pool", "--pool-size").withThreads(poolSize);
            }
            if (poolQueue != null) {
                tuned = requireModel(tuned, "pool", "--pool-queue").withQueueCapacity(poolQueue);
            }
            if (workers != null) {
                tuned = requireModel(tuned, "process", "--workers").withThreads(workers);
            }
            if (inner != null) {
                tuned = Model.processes(requireModel(tuned, "process", "--inner").threads(), inner);
            }
            return tuned;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private Model requireModel(Model chosen, String name, String option) {
        if (!chosen.name().equals(name)) {
            throw new ParameterException(spec.commandLine(), option + " applies to --model " + name
                    + ", not " + chosen.name());
        }
        return chosen;
    }

    private Framing framing() {
        int max = Framing.DEFAULT_MAX_FRAME_SIZE;
        return switch (framing) {
            case raw -> Framing.raw(64 * 1024);
            case line -> Framing.lines(64 * 1024);
            case length4le -> Framing.lengthPrefixed(4, ByteOrder.LITTLE_ENDIAN, max);
            case length4be -> Framing.lengthPrefixed(4, ByteOrder.BIG_ENDIAN, max);
        };
    }

    private String describe(SocketAddress address, Transport transport) {
        if (!transport.unixDomain && address instanceof InetSocketAddress inet) {
            String host = inet.getAddress().getHostAddress();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return where.where.unix.toString();
    }

    private String howToTalk(SocketAddress address, Transport transport) {
        String udp = transport.datagrams ? " --udp" : tlsWanted() ? " --tls" + (cert == null ? " --insecure" : "") : "";
        String ncUdp = transport.datagrams ? "-u " : "";
        if (!transport.unixDomain && address instanceof InetSocketAddress inet) {
            String host = inet.getAddress().getHostAddress();
            return "./spindle client" + udp + " --host " + host + " --port " + inet.getPort()
                    + (tlsWanted() ? "   (or: openssl s_client -connect " + host + ":" + inet.getPort() + ")"
                    : "   (or: nc " + ncUdp + host + " " + inet.getPort() + ")");
        }
        String path = where.where.unix.toString();
        return "./spindle client" + udp + " --unix " + path + "   (or: nc " + ncUdp + "-U " + path + ")";
    }
}
