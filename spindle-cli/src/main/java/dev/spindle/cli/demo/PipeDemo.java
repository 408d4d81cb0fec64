package dev.spindle.cli.demo;

import dev.spindle.cli.WholeNumberConverter;
import dev.spindle.process.Pipe;
import dev.spindle.process.PipeConnection;
import dev.spindle.process.Process;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The seeds' producer and consumer over a {@link Pipe}: this process sends buns down the left
 * end, a child named {@code c1} receives them on the right end until end-of-file, and this process
 * waits for it.
 */
@Command(name = "pipe", mixinStandardHelpOptions = true,
        description = "The seeds' producer/consumer over a Pipe; the consumer ends on end-of-file.")
final class PipeDemo implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--items", converter = WholeNumberConverter.NonNegative.class,
            description = "How many items the producer sends (default: ${DEFAULT-VALUE}).",
            defaultValue = "10")
    int items;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Pipe pipe = Pipe.open();
        PipeConnection left = pipe.left();
        PipeConnection right = pipe.right();
        try (Process<Integer> consumer = Process.callable(() -> consume(left, right)).name("c1")
                .start()) {
            // As in the seed, each side closes the end it does not use.
            right.close();
            for (int i = 0; i < items; i++) {
                left.send("baozi " + i);
            }
            left.close();
            int eaten = consumer.result();
            out.printf("main process: %s received %d of %d and exited with code %d%n", consumer.name(), eaten, items,
                    consumer.exitCode().orElseThrow());
            return eaten == items ? 0 : 1;
        }
    }

    static int consume(PipeConnection left, PipeConnection right) {
        int eaten = 0;
        try {
            left.close();
            while (true) {
                Object baozi = right.recv();
                eaten++;
                System.out.println(Process.current().name() + " received " + baozi);
            }
        } catch (EOFException end) {
            System.out.println("end of file: the producer closed its end");
            return eaten;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
