package dev.spindle.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One {@code spindle ...} run in the test's JVM: its exit code, what it printed, and what it complained of. */
record CliRun(int exit, String out, String err) {

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Spindle.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }
}
