package dev.spindle.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code spindle resolve} with local names only: localhost and the hosts file. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResolveCommandTest {

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        var cli = Spindle.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        assertThat(cli.execute(args)).as(out.toString()).isZero();
        return out.toString();
    }

    @Test
    void localNamesResolveToTheirAddresses() {
        String out = run("resolve", "localhost", "127.0.0.1", "--deadline", "10s");
        assertThat(out).containsPattern("localhost: A [^\\n]*127\\.0\\.0\\.1")
                .contains("127.0.0.1: A 127.0.0.1  AAAA -")
                .contains("2 of 2 names resolved");
    }

    @Test
    void aNameThatDoesNotResolveInTimeIsListedNotWaitedFor() {
        String out = run("resolve", "no-such-host.invalid", "127.0.0.2", "--deadline", "0s");
        assertThat(out).contains("of 2 names resolved");
        assertThat(out.contains("not resolved within PT0S") || out.contains("no-such-host.invalid: no such name"))
                .as(out).isTrue();
    }
}
