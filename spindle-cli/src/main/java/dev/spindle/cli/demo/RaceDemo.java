package dev.spindle.cli.demo;

import dev.spindle.cli.WholeNumberConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The seeds' racing counter (seed 004): threads add one to a shared counter many times. Without a
 * lock, a read-add-write of one thread overwrites another's and updates are lost; with a lock, or
 * an atomic counter, none are.
 */
@Command(name = "race", mixinStandardHelpOptions = true,
        description = "A shared counter without a lock loses updates; with a lock or an AtomicLong it does not.")
final class RaceDemo implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--threads", converter = WholeNumberConverter.Positive.class,
            description = "Threads adding to the counter (default: ${DEFAULT-VALUE}).", defaultValue = "4")
    int threads;

    @Option(names = "--increments", converter = WholeNumberConverter.Positive.class,
            description = "Increments per thread (default: ${DEFAULT-VALUE}).", defaultValue = "2000000")
    int increments;

    /** Volatile so that each increment is a real read and a real write, as Python's {@code n += 1}. */
    private volatile long unlocked;
    private long locked;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        long expected = (long) threads * increments;
        run(() -> unlocked++); // the race: read, add, write
        ReentrantLock lock = new ReentrantLock();
        run(() -> {
            lock.lock();
            try {
                locked++;
            } finally {
                lock.unlock();
            }
        });
        AtomicLong atomic = new AtomicLong();
        run(atomic::incrementAndGet);
        long lost = expected - unlocked;
        out.printf("without a lock:   %,d of %,d (%,d lost)%n", unlocked, expected, lost);
        out.printf("with a lock:      %,d of %,d%n", locked, expected);
        out.printf("with AtomicLong:  %,d of %,d%n", atomic.get(), expected);
        out.println("Without a lock " + String.format("%,d", lost) + " of " + String.format("%,d", expected)
                + " increments were lost; with a lock and with an AtomicLong none were.");
        out.flush();
        return locked == expected && atomic.get() == expected ? 0 : 1;
    }

    /** Runs {@code increment} on every thread at once: a start line, or the first thread may finish before the last begins. */
    private void run(Runnable increment) throws InterruptedException {
        List<Thread> running = new ArrayList<>();
        CyclicBarrier start = new CyclicBarrier(threads);
        for (int t = 0; t < threads; t++) {
            running.add(Thread.ofPlatform().name("adder-" + t).start(() -> {
                try {
                    start.await();
                } catch (InterruptedException | BrokenBarrierException e) {
                    return;
                }
                for (int i = 0; i < increments; i++) {
                    increment.run();
                }
            }));
        }
        for (Thread t : running) {
            t.join();
        }
    }
}
