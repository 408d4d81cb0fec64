package dev.spindle.cli;

import dev.spindle.codec.Framing;
import dev.spindle.net.EchoProtocol;
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

    /** The --model values; "event-loop" is not a Java name, hence the labels. */
    enum ModelName {
        SYNC("sync"), THREAD("thread"), POOL("pool"), VIRTUAL("virtual"), EVENT_LOOP("event-loop"), ASYNC("async");

        final String label;

        ModelName(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }

        static final class Converter implements picocli.CommandLine.ITypeConverter<ModelName> {
            @Override
            public ModelName convert(String value) {
                for (ModelName m : values()) {
                    if (m.label.equalsIgnoreCase(value) || m.name().equalsIgnoreCase(value)) {
                        return m;
                    }
                }
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a model; choose one of "
                        + java.util.Arrays.toString(values()));
            }
        }
    }

    enum FramingName { raw, line, length4le, length4be }

    @Spec
    CommandSpec spec;

    @Mixin
    AddressOptions where = new AddressOptions();

    @Option(names = "--model", description = "Concurrency model: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            defaultValue = "virtual", converter = ModelName.Converter.class)
    ModelName model;

    @Option(names = "--loops", paramLabel = "N", converter = WholeNumberConverter.Positive.class,
            description = "Selector loops of the event-loop model (default: one per core).")
    Integer loops;

    @Option(names = "--pool-size", paramLabel = "N", converter = WholeNumberConverter.Positive.class,
            description = "Threads of the pool model (default: ${DEFAULT-VALUE}).",
            defaultValue = "16")
    int poolSize;

    @Option(names = "--pool-queue", paramLabel = "N", converter = WholeNumberConverter.NonNegative.class,
            description = "Connections that may wait for a pool thread before new ones are refused (default: ${DEFAULT-VALUE}).",
            defaultValue = "128")
    int poolQueue;

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
        StreamServer.Builder builder = StreamServer.builder()
                .name("spindle-serve")
                .bind(address())
                .model(model())
                .framing(framing())

                .shutdownGrace(grace);
        if (mode == Mode.files) {
            if (model == ModelName.EVENT_LOOP || model == ModelName.ASYNC) {
                throw new ParameterException(spec.commandLine(),
                        "--mode files streams uploads to disk with blocking writes; choose a blocking --model "
                                + "(sync, thread, pool or virtual)");
            }
            builder.handler(new FileUploadHandler(dir, maxFileSize));
        } else {
            boolean upper = mode == Mode.upper;
            Framing chosen = framing();
            builder.protocol(framing == FramingName.raw
                    ? () -> new EchoProtocol(upper) : () -> EchoProtocol.framed(chosen, upper));
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
        try {
            return switch (model) {
                case SYNC -> Model.SYNC;
                case THREAD -> Model.THREAD;
                case VIRTUAL -> Model.VIRTUAL;
                case POOL -> Model.pool(poolSize, poolQueue);
                case EVENT_LOOP -> loops == null ? Model.eventLoop() : Model.eventLoop(loops);
                case ASYNC -> Model.ASYNC;
            };
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
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
