package dev.spindle.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The seeds' threading experiments as {@code spindle demo}: traffic-light, deadlock, race. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ThreadDemosTest {

    private static int run(StringWriter out, String... args) {
        var cli = Spindle.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        return cli.execute(args);
    }

    @Test
    void trafficLightCarsPassOnlyOnGreen() {
        StringWriter out = new StringWriter();
        assertThat(run(out, "demo", "traffic-light", "--cycles", "2", "--cars", "6", "--phase", "100ms")).isZero();
        assertThat(out.toString()).contains("light: GREEN (cycle 1)").contains("light: RED")
                .contains("all 6 cars passed only on green");
    }

    @Test
    void deadlockIsFoundWithWhoHoldsWhatAndTheLockOrderCuresIt() {
        StringWriter out = new StringWriter();
        assertThat(run(out, "demo", "deadlock")).as(out.toString()).isZero();
        assertThat(out.toString())
                .containsPattern("deadlock: thread A holds the noodles lock and waits for the chopsticks lock, held by B")
                .containsPattern("deadlock: thread B holds the chopsticks lock and waits for the noodles lock, held by A")
                .contains("taking the locks in one order, both ate.");
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("A") || t.getName().equals("B"));
    }

    @Test
    void raceLosesUpdatesWithoutALockAndNoneWithOne() {
        StringWriter out = new StringWriter();
        assertThat(run(out, "demo", "race", "--threads", "2", "--increments", "200000")).isZero();
        Matcher unlocked = Pattern.compile("without a lock: +([0-9,]+) of 400,000 \\(([0-9,]+) lost\\)").matcher(out.toString());
        assertThat(unlocked.find()).as(out.toString()).isTrue();
        long counted = Long.parseLong(unlocked.group(1).replace(",", ""));
        long lost = Long.parseLong(unlocked.group(2).replace(",", ""));
        assertThat(counted + lost).isEqualTo(400_000);
        assertThat(out.toString()).contains("with a lock:      400,000 of 400,000")
                .contains("with AtomicLong:  400,000 of 400,000")
                .contains("increments were lost; with a lock and with an AtomicLong none were.");
    }
}
