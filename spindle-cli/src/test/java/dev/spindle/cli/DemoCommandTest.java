package dev.spindle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {

    @AfterEach
    void noChildJvmOutlivesADemo() throws Exception {
        for (ProcessHandle child : ProcessHandle.current().children().toList()) {
            child.onExit().get(30, TimeUnit.SECONDS);
        }
        assertThat(ProcessHandle.current().children().toList()).isEmpty();
    }

    @Test
    void pipeDemoConsumerTakesEveryItemAndEndsOnEndOfFile() {
        StringWriter out = new StringWriter();
        int exit = run(out, "demo", "pipe", "--items", "25");
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("main process: c1 received 25 of 25 and exited with code 0");
    }

    @Test
    void producerConsumerDemoEatsEveryItemExactlyOnceAndJoinsTheQueue() {
        StringWriter out = new StringWriter();
        int exit = run(out, "demo", "producer-consumer", "--producers", "3", "--consumers", "2", "--items", "40",
                "--delay", "2ms");
        assertThat(exit).as(out.toString()).isZero();
        assertThat(out.toString()).contains("every item was eaten and marked done")
                .contains("3 producers made 120 items; 2 consumers ate 120 distinct items, 0 more than once: "
                        + "every item eaten exactly once");
    }

    @Test
    void ticketsDemoSellsExactlyTheTicketsThereAreWithTheLock() {
        StringWriter out = new StringWriter();
        int exit = run(out, "demo", "tickets", "--buyers", "4", "--tickets", "2", "--delay", "100ms");
        assertThat(exit).as(out.toString()).isZero();
        assertThat(out.toString()).contains("without a lock: ")
                .contains("with a ProcessLock: 2 buyers paid for 2 tickets: exactly right");
    }

    @Test
    void cpuVsIoDemoPrintsARowPerModelAndSaysWhatItShows() {
        StringWriter out = new StringWriter();
        int exit = run(out, "demo", "cpu-vs-io", "--workers", "2", "--sleep", "100ms");
        assertThat(exit).isZero();
        assertThat(out.toString())
                .contains("| platform threads |", "| virtual threads |", "| process pool |")
                .contains("Java has no GIL");
    }

    @Test
    void poolDemoRunsTheSeedsExamplesAndTheCrawlersCallbacksParseInTheParent() {
        StringWriter out = new StringWriter();
        int exit = run(out, "demo", "pool", "--workers", "2", "--tasks", "4", "--sleep", "50ms", "--pages", "3");
        String text = out.toString();
        assertThat(exit).as(text).isZero();
        long parent = ProcessHandle.current().pid();
        assertThat(text).contains("apply(foo, 3) = 103", "4 tasks in", "faster than apply")
                .contains("squares of 0..9 computed in the workers: [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]")
                .contains("its workers exited");
        for (int i = 100; i < 104; i++) {
            assertThat(text).contains("-->exec done: " + i + " (callback in pid " + parent + ")");
        }
        for (int page = 1; page <= 3; page++) {
            assertThat(text).containsPattern("/page/" + page + ": \"Page " + page
                    + " of the local site\", \\d+ bytes \\(fetched in pid \\d+, parsed in pid " + parent + "\\)");
        }
        assertThat(text).doesNotContain("fetched in pid " + parent + ",");
    }

    @Test
    void cpuVsIoDemoRefusesZeroWorkers() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Spindle.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("demo", "cpu-vs-io", "--workers", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value for option '--workers': 0 is out of range; it must be 1 or more");
    }

    private static int run(StringWriter out, String... args) {
        CommandLine cli = Spindle.commandLine();
        cli.setOut(new PrintWriter(out, true));
        return cli.execute(args);
    }
}
