package dev.spindle.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code spindle} command: the seeds' programs on top of the Spindle library.
 *
 * <p>Exit codes: 0 success, 1 a runtime failure (the message says what and what to do), 2 a
 * usage error.
 */
@Command(name = "spindle",
        mixinStandardHelpOptions = true,
        versionProvider = Spindle.Version.class,
        description = "Concurrent socket servers, framing and Python-style multiprocessing for the JVM.",
        subcommands = {ServeCommand.class, ClientCommand.class, LoadCommand.class, ScanCommand.class, FetchCommand.class, ResolveCommand.class, dev.spindle.cli.demo.DemoCommand.class, ManagerCommand.class,
                dev.spindle.cli.bench.BenchCommand.class, dev.spindle.cli.cluster.ClusterCommand.class,
                CommandLine.HelpCommand.class})
public final class Spindle {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests run it in-process. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Spindle());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.registerConverter(java.time.Duration.class, new DurationConverter());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("spindle " + cmd.getCommandName() + ": " + e.getMessage());
            return 1;
        });
        return cli;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Spindle.class.getPackage().getImplementationVersion();
            return new String[] {"spindle " + (v == null ? "development build" : v)
                    + " on Java " + Runtime.version()};
        }
    }
}
