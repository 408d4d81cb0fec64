package dev.spindle.cli;

import dev.spindle.codec.Framing;
import dev.spindle.net.ConnectionHandler;
import dev.spindle.net.Model;
import dev.spindle.net.StreamServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sun.misc.Signal;

import java.io.PrintWriter;
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

    enum ModelName { sync, thread, pool, virtual }

    enum FramingName { raw, line, length4le, length4be }

    @Spec
    CommandSpec spec;

    @Mixin
    AddressOptions where = new AddressOptions();

    @Option(names = "--model", description = "Concurrency model: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            defaultValue = "virtual")
    ModelName model;

    @Option(names = "--pool-size", paramLabel = "N", description = "Threads of the pool model (default: ${DEFAULT-VALUE}).",
            defaultValue = "16")
    int poolSize;

    @Option(names = "--pool-queue", paramLabel = "N",
            description = "Connections that may wait for a pool thread before new ones are refused (default: ${DEFAULT-VALUE}).",
            defaultValue = "128")
    int poolQueue;

    @Option(names = "--mode", description = "What the server does: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            defaultValue = "echo")
    Mode mode;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where --mode files stores uploads (default: ${DEFAULT-VALUE}).",
            defaultValue = "uploads")
    Path dir;

    @Option(names = "--max-file-size", paramLabel = "BYTES",
            description = "Largest upload --mode files accepts (default: ${DEFAULT-VALUE}).", defaultValue = "4294967296")
    long maxFileSize;

    @Option(names = "--framing", description = "Message framing for echo and upper: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            defaultValue = "raw")
    FramingName framing;

    @Option(names = "--max-connections", paramLabel = "N",
            description = "Refuse connections beyond this many open ones (default: unlimited).")
    Integer maxConnections;

    @Option(names = "--idle-timeout", paramLabel = "DURATION",
            description = "Close a connection that sends or takes nothing for this long, e.g. 30s (default: none).")
    Duration idleTimeout;

    @Option(names = "--grace", paramLabel = "DURATION",
            description = "How long handlers may finish after Ctrl-C (default: ${DEFAULT-VALUE}).", defaultValue = "5s")
    Duration grace;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        StreamServer.Builder builder = StreamServer.builder()
                .name("spindle-serve")
                .bind(address())
                .model(model())
                .framing(framing())
                .handler(handler())
                .shutdownGrace(grace);
        if (maxConnections != null) {
            builder.maxConnections(maxConnections);
        }
        if (idleTimeout != null) {
            builder.idleTimeout(idleTimeout);
        }
        try (StreamServer server = builder.open()) {
            Runnable stop = () -> Thread.ofPlatform().name("spindle-serve-stop").start(() -> server.shutdown(grace));
            Signal.handle(new Signal("INT"), signal -> stop.run());
            Signal.handle(new Signal("TERM"), signal -> stop.run());
            out.println("spindle serve: " + mode + " server (model " + server.model() + ", framing " + framing
                    + ") listening on " + describe(server.localAddress()));
            out.println("  talk to it: " + howToTalk(server.localAddress()));
            out.println("  stop it:    Ctrl-C (or kill -TERM " + ProcessHandle.current().pid() + ")");
            out.flush();
            server.serveForever();
            server.shutdown(grace);
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

    private Model model() {
        return switch (model) {
            case sync -> Model.SYNC;
            case thread -> Model.THREAD;
            case virtual -> Model.VIRTUAL;
            case pool -> {
                try {
                    yield Model.pool(poolSize, poolQueue);
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), e.getMessage());
                }
            }
        };
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

    private ConnectionHandler handler() throws java.io.IOException {
        return switch (mode) {
            case echo -> new EchoHandler(false, framing == FramingName.raw);
            case upper -> new EchoHandler(true, framing == FramingName.raw);
            case files -> new FileUploadHandler(dir, maxFileSize);
        };
    }

    private static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            String host = inet.getAddress().getHostAddress();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return address.toString();
    }

    private static String howToTalk(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return "./spindle client --host " + inet.getAddress().getHostAddress() + " --port " + inet.getPort()
                    + "   (or: nc " + inet.getAddress().getHostAddress() + " " + inet.getPort() + ")";
        }
        return "./spindle client --unix " + address + "   (or: nc -U " + address + ")";
    }
}
