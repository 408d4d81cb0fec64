package dev.spindle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** What the command line says about help and about option values it cannot use, run in-process. */
class OptionMessagesTest {

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Spindle.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** Every command, as the words that name it on the command line. */
    private static List<List<String>> commands() {
        return List.of(List.of("serve"), List.of("client"), List.of("load"), List.of("demo"),
                List.of("demo", "cpu-vs-io"), List.of("demo", "pipe"), List.of());
    }

    @Test
    void everyCommandHasHelpListingEachOptionExactlyOnce() {
        for (List<String> command : commands()) {
            CommandLine cli = Spindle.commandLine();
            for (String word : command) {
                cli = cli.getSubcommands().get(word);
            }
            List<String> args = new java.util.ArrayList<>(command);
            args.add("--help");
            Run help = run(args.toArray(String[]::new));
            assertThat(help.exit()).as("exit code of %s; err: %s", args, help.err()).isZero();
            assertThat(help.out()).as("help of %s", args).startsWith("Usage: spindle");
            List<OptionSpec> options = cli.getCommandSpec().options();
            // The option list, without the usage synopsis above it, whose wrapped lines are indented too.
            List<String> helpLines = help.out().lines().toList();
            int listStart = 1;
            while (listStart < helpLines.size() && helpLines.get(listStart).startsWith(" ")) {
                listStart++;
            }
            String list = String.join("\n", helpLines.subList(listStart, helpLines.size()));
            assertThat(options).as("options of %s", args).isNotEmpty();
            for (OptionSpec option : options) {
                // An option's own line: indented, its short name optionally first, then the long name.
                Pattern line = Pattern.compile("(?m)^\\s+(?:-\\w, )?" + Pattern.quote(option.longestName()) + "(?:[=\\s]|$)");
                Matcher m = line.matcher(list);
                int lines = 0;
                while (m.find()) {
                    lines++;
                }
                assertThat(lines).as("lines listing %s in the help of %s:%n%s", option.longestName(), args, help.out())
                        .isEqualTo(1);
            }
        }
    }

    @Test
    void demoHelpListsTheDemos() {
        Run help = run("demo", "--help");
        assertThat(help.exit()).as(help.err()).isZero();
        assertThat(help.out()).contains("Usage: spindle demo").contains("cpu-vs-io").contains("pipe");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "serve --model pool --pool-size 0          | --pool-size       | 0 is out of range; it must be 1 or more",
        "serve --model pool --pool-queue -1        | --pool-queue      | -1 is out of range; it must be 0 or more",
        "serve --model event-loop --loops 0        | --loops           | 0 is out of range; it must be 1 or more",
        "serve --max-connections 0                 | --max-connections | 0 is out of range; it must be 1 or more",
        "serve --port 70000                        | --port            | 70000 is out of range; it must be 0 to 65535",
        "serve --port http                         | --port            | 'http' is not a whole number; it must be 0 to 65535",
        "client --port -1                          | --port            | -1 is out of range; it must be 0 to 65535",
        "load --connections 0                      | --connections     | 0 is out of range; it must be 1 or more",
        "load --size 0                             | --size            | 0 is out of range; it must be 1 or more",
        "load --depth -3                           | --depth           | -3 is out of range; it must be 1 or more",
        "load --loops 0                            | --loops           | 0 is out of range; it must be 1 or more",
        "demo pipe --items -1                      | --items           | -1 is out of range; it must be 0 or more",
        "demo cpu-vs-io --workers 0                | --workers         | 0 is out of range; it must be 1 or more",
        "serve --idle-timeout -5s                  | --idle-timeout    | '-5s' is negative; a duration must be zero or more",
        "serve --grace -PT5S                       | --grace           | '-PT5S' is negative; a duration must be zero or more",
        "serve --grace PT-5S                       | --grace           | 'PT-5S' is negative; a duration must be zero or more",
        "client --timeout -1ms                     | --timeout         | '-1ms' is negative; a duration must be zero or more",
        "load --warmup -2s                         | --warmup          | '-2s' is negative; a duration must be zero or more",
        "demo cpu-vs-io --sleep -1s                | --sleep           | '-1s' is negative; a duration must be zero or more",
    })
    void anOptionValueOutOfRangeIsAUsageErrorNamingTheOptionAndItsRange(String args, String option, String says) {
        Run r = run(args.split(" "));
        assertThat(r.exit()).as("exit code; err: %s", r.err()).isEqualTo(2);
        assertThat(r.err()).contains("Invalid value for option '" + option + "': " + says);
    }

    @Test
    void maxFileSizeBelowZeroOrPastALongIsOutOfRange(@TempDir Path tmp) {
        Run negative = run("serve", "--mode", "files", "--dir", tmp.toString(), "--max-file-size", "-1");
        assertThat(negative.exit()).as(negative.err()).isEqualTo(2);
        assertThat(negative.err()).contains("Invalid value for option '--max-file-size': -1 is out of range; it must be 0 or more");
        Run huge = run("serve", "--mode", "files", "--dir", tmp.toString(), "--max-file-size", "9223372036854775808");
        assertThat(huge.exit()).as(huge.err()).isEqualTo(2);
        assertThat(huge.err()).contains("9223372036854775808 is out of range; it must be 0 to 9223372036854775807");
    }

    @Test
    void loadRefusesAZeroDurationAndAFirstWritePastAnArray() {
        Run zero = run("load", "--duration", "0s");
        assertThat(zero.exit()).as(zero.err()).isEqualTo(2);
        assertThat(zero.err()).contains("--duration must be more than zero");
        Run huge = run("load", "--size", "100000000", "--depth", "100");
        assertThat(huge.exit()).as(huge.err()).isEqualTo(2);
        assertThat(huge.err()).contains("--size × --depth").contains("100000000 × 100");
    }

    @Test
    void dirNamingAFileSaysItIsNotADirectory(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("passwd"), "root:x:0:0");
        // The event-loop model is refused for files mode only after the options are read: a
        // --dir the converter lets through shows up as that other message.
        Run r = run("serve", "--mode", "files", "--model", "event-loop", "--dir", file.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("Invalid value for option '--dir': '" + file + "' is not a directory (it is a file)");
    }

    @Test
    void anEmptyDirIsRefusedRatherThanTakenForTheCurrentDirectory() {
        Run r = run("serve", "--mode", "files", "--model", "event-loop", "--dir", "");
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("Invalid value for option '--dir': the directory must not be empty");
    }
}
