package dev.spindle.cli.demo;

import dev.spindle.cli.DurationConverter;
import dev.spindle.cli.WholeNumberConverter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spindle.process.Process;
import dev.spindle.process.queue.ProcessQueue;
import dev.spindle.process.sync.ProcessLock;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The seeds' ticket office (seed 004): a JSON file holds the number of tickets left; each buyer
 * process reads it, waits a little (the network), and buys if one is left by writing the count
 * back. Without a lock, buyers who read the same count all buy the same ticket; with a
 * {@link ProcessLock} around the read-wait-write, exactly the tickets there are are sold. The demo
 * runs both rounds, so the difference shows in one run.
 */
@Command(name = "tickets", mixinStandardHelpOptions = true,
        description = "The seeds' ticket office: buyer processes oversell without a lock, and sell exactly the "
                + "tickets there are with a cross-process Lock.")
final class TicketsDemo implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--buyers", converter = WholeNumberConverter.Positive.class,
            description = "Buyer processes (default: ${DEFAULT-VALUE}, as in the seed).", defaultValue = "9")
    int buyers;

    @Option(names = "--tickets", converter = WholeNumberConverter.NonNegative.class,
            description = "Tickets for sale (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    int tickets;

    @Option(names = "--delay", converter = DurationConverter.class,
            description = "Longest random wait between reading the count and buying; the seed's is 1-3 s "
                    + "(default: ${DEFAULT-VALUE}).", defaultValue = "200ms")
    Duration delay;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path data = Files.createTempFile("spindle-tickets-", ".json");
        try {
            int unlocked = round(out, data, false);
            out.printf(Locale.ROOT, "without a lock: %s paid for %s: %s%n%n", count(unlocked, "buyer"),
                    count(tickets, "ticket"), unlocked > tickets ? "OVERSOLD, as in the seed"
                            : "no oversell this time (the race is real; run it again, or raise --buyers)");
            int locked = round(out, data, true);
            out.printf(Locale.ROOT, "with a ProcessLock: %s paid for %s: %s%n", count(locked, "buyer"),
                    count(tickets, "ticket"), locked == Math.min(tickets, buyers) ? "exactly right" : "WRONG");
            return locked == Math.min(tickets, buyers) ? 0 : 1;
        } finally {
            Files.deleteIfExists(data);
        }
    }

    /** One round of buyers on a fresh count; returns how many bought. */
    private int round(PrintWriter out, Path data, boolean locking) throws Exception {
        out.printf(Locale.ROOT, "%s: %s, %s%n", locking ? "with a lock" : "without a lock", count(tickets, "ticket"),
                count(buyers, "buyer"));
        out.flush();
        write(data.toString(), tickets);
        ProcessLock mutex = new ProcessLock();
        ProcessQueue<Integer> startGun = new ProcessQueue<>();
        String path = data.toString();
        long pauseMillis = delay.toMillis();
        List<Process<Boolean>> all = new ArrayList<>();
        try {
            for (int i = 1; i <= buyers; i++) {
                int me = i;
                all.add(Process.callable(() -> {
                    startGun.take(); // every buyer is up before any buys, so they race as the seed's do
                    search(me, path);
                    if (!locking) {
                        return buy(me, path, pauseMillis);
                    }
                    mutex.lock();
                    try {
                        return buy(me, path, pauseMillis);
                    } finally {
                        mutex.unlock();
                    }
                }).name("buyer-" + i).start());
            }
            for (int i = 0; i < buyers; i++) {
                startGun.put(i);
            }
            int bought = 0;
            for (Process<Boolean> buyer : all) {
                if (buyer.result()) {
                    bought++;
                }
            }
            return bought;
        } finally {
            all.forEach(Process::close);
        }
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    static void search(int buyer, String path) throws IOException {
        System.out.println("buyer " + buyer + " sees " + read(path) + " ticket(s) left");
    }

    static boolean buy(int buyer, String path, long pauseMillis) throws IOException, InterruptedException {
        int left = read(path);
        if (pauseMillis > 0) {
            Thread.sleep(ThreadLocalRandom.current().nextLong(pauseMillis / 2, pauseMillis + 1)); // the network
        }
        if (left > 0) {
            write(path, left - 1);
            System.out.println("buyer " + buyer + " bought a ticket");
            return true;
        }
        System.out.println("buyer " + buyer + " found none left");
        return false;
    }

    private static int read(String path) throws IOException {
        return new ObjectMapper().readTree(Path.of(path).toFile()).get("ticket_num").asInt();
    }

    private static void write(String path, int left) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode count = json.createObjectNode().put("ticket_num", left);
        Path target = Path.of(path);
        Path next = target.resolveSibling(target.getFileName() + "." + ProcessHandle.current().pid());
        json.writeValue(next.toFile(), count);
        // Renamed into place, so a reader never sees half a file: the race shown is the seed's, not a torn write.
        Files.move(next, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
