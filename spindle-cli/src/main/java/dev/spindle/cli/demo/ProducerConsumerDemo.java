package dev.spindle.cli.demo;

import dev.spindle.cli.DurationConverter;
import dev.spindle.cli.WholeNumberConverter;
import dev.spindle.process.Process;
import dev.spindle.process.queue.ProcessJoinableQueue;
import dev.spindle.process.queue.ProcessQueue;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The seeds' baozi shop: producer processes make items into a {@link ProcessJoinableQueue}, daemon
 * consumer processes eat them and mark each done, and this process waits for the producers and
 * then for the queue ({@code q.join()}), as seed 004 does. Each consumer also reports what it ate
 * on a second queue, so this process can check that every item was eaten exactly once.
 */
@Command(name = "producer-consumer", mixinStandardHelpOptions = true,
        description = "The seeds' baozi shop: producer and daemon consumer processes on a JoinableQueue.")
final class ProducerConsumerDemo implements Callable<Integer> {

    private static final List<String> COOKS = List.of("egon", "tank", "alex", "wupeiqi");
    private static final List<String> EATERS = List.of("chunge", "xinge", "jason", "nick");

    @Spec
    CommandSpec spec;

    @Option(names = "--producers", converter = WholeNumberConverter.Positive.class,
            description = "Producer processes (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    int producers;

    @Option(names = "--consumers", converter = WholeNumberConverter.Positive.class,
            description = "Consumer processes, daemons (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    int consumers;

    @Option(names = "--items", converter = WholeNumberConverter.NonNegative.class,
            description = "Items each producer makes (default: ${DEFAULT-VALUE}).", defaultValue = "5")
    int items;

    @Option(names = "--delay", converter = DurationConverter.class,
            description = "Longest random pause for making or eating one item; the seed's is 1-3 s "
                    + "(default: ${DEFAULT-VALUE}).", defaultValue = "100ms")
    Duration delay;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ProcessJoinableQueue<String> shop = new ProcessJoinableQueue<>();
        ProcessQueue<String> eaten = new ProcessQueue<>();
        long pauseMillis = delay.toMillis();
        List<Process<Void>> makers = new ArrayList<>();
        List<Process<Void>> eaters = new ArrayList<>();
        try {
            for (int c = 0; c < consumers; c++) {
                String name = name(EATERS, c);
                eaters.add(Process.target(() -> eat(name, shop, eaten, pauseMillis)).name(name).daemon(true).start());
            }
            for (int p = 0; p < producers; p++) {
                String name = name(COOKS, p);
                String food = p % 2 == 0 ? "baozi" : "jiaozi";
                int count = items;
                makers.add(Process.target(() -> make(name, food, count, shop, pauseMillis)).name(name).start());
            }
            for (Process<Void> maker : makers) {
                maker.join();
            }
            shop.join();
            out.printf(Locale.ROOT, "main process: the producers are done and the queue is joined: every item was "
                    + "eaten and marked done%n");
            return report(out, eaten);
        } finally {
            // The consumers are daemons waiting on an empty queue; as in the seed, they end with this process.
            eaters.forEach(Process::close);
            makers.forEach(Process::close);
        }
    }

    private int report(PrintWriter out, ProcessQueue<String> eaten) {
        Map<String, Integer> times = new HashMap<>();
        List<String> reports = new ArrayList<>();
        eaten.drainTo(reports);
        for (String report : reports) {
            times.merge(report.substring(report.indexOf(' ') + 1), 1, Integer::sum);
        }
        int made = producers * items;
        long twice = times.values().stream().filter(n -> n > 1).count();
        boolean exact = times.size() == made && twice == 0;
        out.printf(Locale.ROOT, "%d producers made %d items; %d consumers ate %d distinct items, %d more than once: %s%n",
                producers, made, consumers, times.size(), twice, exact ? "every item eaten exactly once" : "WRONG");
        return exact ? 0 : 1;
    }

    static void make(String name, String food, int count, ProcessJoinableQueue<String> shop, long pauseMillis)
            throws InterruptedException {
        for (int i = 0; i < count; i++) {
            pause(pauseMillis);
            String item = name + " made " + food + " " + i;
            System.out.println(item);
            shop.put(item);
        }
    }

    static void eat(String name, ProcessJoinableQueue<String> shop, ProcessQueue<String> eaten, long pauseMillis)
            throws InterruptedException {
        while (true) {
            String item = shop.take();
            pause(pauseMillis);
            System.out.println(name + " ate " + item);
            eaten.put(name + " " + item);
            shop.taskDone();
        }
    }

    private static void pause(long maxMillis) throws InterruptedException {
        if (maxMillis > 0) {
            Thread.sleep(ThreadLocalRandom.current().nextLong(maxMillis + 1));
        }
    }

    private static String name(List<String> names, int i) {
        return i < names.size() ? names.get(i) : names.get(i % names.size()) + (i / names.size() + 1);
    }
}
