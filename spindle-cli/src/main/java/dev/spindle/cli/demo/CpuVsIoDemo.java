package dev.spindle.cli.demo;

import dev.spindle.cli.WholeNumberConverter;
import dev.spindle.process.pool.ProcessPool;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Seed 004's experiment: N CPU-bound tasks and N sleeping tasks under platform threads, virtual
 * threads and a pool of N worker processes, timed. In CPython the GIL makes the CPU-bound threads no faster
 * than one at a time; the JVM has no such lock, and the table shows it.
 */
@Command(name = "cpu-vs-io", mixinStandardHelpOptions = true,
        description = "CPU-bound and I/O-bound tasks under platform threads, virtual threads and processes.")
final class CpuVsIoDemo implements Callable<Integer> {

    /** Iterations of the CPU-bound loop: about a second on one core. */
    static final long ITERATIONS = 500_000_000L;

    @Spec
    CommandSpec spec;

    @Option(names = "--workers", converter = WholeNumberConverter.Positive.class,
            description = "Tasks of each kind (default: ${DEFAULT-VALUE}).", defaultValue = "4")
    int workers;

    @Option(names = "--sleep", description = "How long each I/O-bound task sleeps (default: ${DEFAULT-VALUE}).",
            defaultValue = "1s")
    Duration sleep;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        int cores = Runtime.getRuntime().availableProcessors();
        out.printf(Locale.ROOT, "%d workers of each kind on %d cores; a CPU-bound task is %,d xorshift steps, "
                + "an I/O-bound task sleeps %s.%n", workers, cores, ITERATIONS, sleep.toMillis() + " ms");
        spin(ITERATIONS / 10);
        long t0 = System.nanoTime();
        spin(ITERATIONS);
        double alone = seconds(t0);
        out.printf(Locale.ROOT, "One CPU-bound task alone: %.2f s.%n%n", alone);

        long sleepMillis = sleep.toMillis();
        double[][] table = new double[3][2];
        table[0][0] = timeThreads(Executors.newFixedThreadPool(workers), () -> spin(ITERATIONS));
        table[0][1] = timeThreads(Executors.newFixedThreadPool(workers), () -> nap(sleepMillis));
        table[1][0] = timeThreads(Executors.newVirtualThreadPerTaskExecutor(), () -> spin(ITERATIONS));
        table[1][1] = timeThreads(Executors.newVirtualThreadPerTaskExecutor(), () -> nap(sleepMillis));
        try (ProcessPool pool = ProcessPool.create(workers)) {
            pool.apply(() -> 0); // the workers are up: the row times the tasks, as the thread rows do
            table[2][0] = timePool(pool, ITERATIONS, true);
            table[2][1] = timePool(pool, sleepMillis, false);
        }

        String[] rows = {"platform threads", "virtual threads", "process pool"};
        out.println("| model | CPU-bound, s | speed-up over one at a time | I/O-bound, s |");
        out.println("|---|---:|---:|---:|");
        for (int i = 0; i < rows.length; i++) {
            out.printf(Locale.ROOT, "| %s | %.2f | %.1f× | %.2f |%n", rows[i], table[i][0],
                    workers * alone / table[i][0], table[i][1]);
        }
        double ideal = Math.min(workers, cores);
        out.printf(Locale.ROOT, "%nWhat it shows: Java has no GIL. CPU-bound platform threads ran %.1f× faster than "
                + "one task at a time and virtual threads %.1f×, against an ideal of %.0f× on %d cores; processes "
                + "reached %.1f×: its workers were started before the clock, as a pool's are meant to be, so only the "
                + "tasks' trips to them cost more. In CPython the seed's threads took four times as long as its "
                + "processes. I/O-bound tasks overlap under every model and finish in about one sleep.%n", workers * alone / table[0][0],
                workers * alone / table[1][0], ideal, cores, workers * alone / table[2][0]);
        return 0;
    }

    /**
     * The seed's {@code res *= i} loop, made so the JIT can neither drop it (its result is used)
     * nor fold it (an xorshift step has no closed form, unlike a multiply-add).
     */
    static Long spin(Long iterations) {
        return spin(iterations.longValue());
    }

    static long spin(long iterations) {
        long x = iterations | 1;
        for (long i = 0; i < iterations; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    static Long nap(Long millis) throws InterruptedException {
        return nap(millis.longValue());
    }

    static long nap(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return millis;
    }

    private double timeThreads(ExecutorService executor, Callable<Long> task) throws Exception {
        try (executor) {
            long t0 = System.nanoTime();
            List<Future<Long>> futures = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                futures.add(executor.submit(task));
            }
            for (Future<Long> f : futures) {
                f.get();
            }
            return seconds(t0);
        }
    }

    /** One task per worker, all at once: a CPU-bound spin or a sleep. */
    private double timePool(ProcessPool pool, long amount, boolean cpu) throws Exception {
        List<Long> amounts = java.util.Collections.nCopies(workers, amount);
        long t0 = System.nanoTime();
        if (cpu) {
            pool.map(CpuVsIoDemo::spin, amounts, 1);
        } else {
            pool.map(CpuVsIoDemo::nap, amounts, 1);
        }
        return seconds(t0);
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
