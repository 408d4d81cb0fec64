package dev.spindle.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code spindle demo io-models}: seed 004's I/O models, measured on real loopback sockets. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IoModelsDemoTest {

    private static final Pattern ROW = Pattern.compile("(?m)^(blocking|non-blocking polling|multiplexing|asynchronous)"
            + " +.+? +([\\d,]+) +(\\d+)% +(\\d+)%$");

    @Test
    void everyModelAnswersAndOnlyPollingBurnsACoreWhileIdle() {
        CliRun run = CliRun.of("demo", "io-models", "--connections", "2", "--duration", "400ms", "--idle", "400ms");
        assertThat(run.exit()).as(run.err()).isZero();
        Matcher rows = ROW.matcher(run.out());
        int measured = 0;
        while (rows.find()) {
            measured++;
            long messagesPerSecond = Long.parseLong(rows.group(2).replace(",", ""));
            int idleCpu = Integer.parseInt(rows.group(3));
            assertThat(messagesPerSecond).as(rows.group(1) + " answered").isPositive();
            if (rows.group(1).equals("non-blocking polling")) {
                assertThat(idleCpu).as("the polling loop spins with nothing to do").isGreaterThanOrEqualTo(25);
            }
        }
        assertThat(measured).as(run.out()).isEqualTo(4);
        assertThat(run.out()).contains("signal-driven          SIGIO: not on the JVM")
                .containsPattern("Polling burnt \\d+% of a core while nothing happened");
        assertThat(Thread.getAllStackTraces().keySet()).as("the demo joined its threads before it returned")
                .noneMatch(t -> t.getName().startsWith("io-models-client") || t.getName().equals("io-models-polling"));
    }
}
