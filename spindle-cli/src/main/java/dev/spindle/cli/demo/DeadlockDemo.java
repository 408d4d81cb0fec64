package dev.spindle.cli.demo;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The seeds' deadlock (seed 004): two threads take two locks in opposite order and each waits for
 * the other's. The JVM's deadlock detection ({@link ThreadMXBean#findDeadlockedThreads()}) finds
 * them and says who holds what and waits for what; the demo then breaks the deadlock (the threads
 * wait interruptibly) and runs the cure, one lock order, to completion.
 */
@Command(name = "deadlock", mixinStandardHelpOptions = true,
        description = "Two threads take two locks in opposite order and deadlock; the JVM finds it; one lock order cures it.")
final class DeadlockDemo implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ReentrantLock noodles = new ReentrantLock();
        ReentrantLock chopsticks = new ReentrantLock();

        out.println("1. Opposite order: A takes the noodles then the chopsticks, B the chopsticks then the noodles.");
        CountDownLatch bothHoldOne = new CountDownLatch(2);
        Thread a = Thread.ofPlatform().name("A").start(() -> eat(noodles, chopsticks, bothHoldOne));
        Thread b = Thread.ofPlatform().name("B").start(() -> eat(chopsticks, noodles, bothHoldOne));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] deadlocked = null;
        for (int i = 0; i < 500 && deadlocked == null; i++) {
            Thread.sleep(10);
            deadlocked = threads.findDeadlockedThreads();
        }
        if (deadlocked == null) {
            out.println("no deadlock formed (the threads were not both waiting)");
            a.interrupt();
            b.interrupt();
            return 1;
        }
        ThreadInfo[] infos = threads.getThreadInfo(deadlocked, true, true);
        // The JVM names a lock by its synchronizer object; A took the noodles first, B the chopsticks.
        Map<Integer, String> names = new java.util.HashMap<>();
        for (ThreadInfo info : infos) {
            for (var sync : info.getLockedSynchronizers()) {
                names.put(sync.getIdentityHashCode(), info.getThreadName().equals("A") ? "the noodles lock"
                        : "the chopsticks lock");
            }
        }
        for (ThreadInfo info : infos) {
            String waitsFor = names.getOrDefault(info.getLockInfo().getIdentityHashCode(), info.getLockName());
            StringBuilder holds = new StringBuilder();
            for (var sync : info.getLockedSynchronizers()) {
                holds.append(names.getOrDefault(sync.getIdentityHashCode(), sync.toString()));
            }
            out.println("   deadlock: thread " + info.getThreadName() + " holds " + holds + " and waits for "
                    + waitsFor + ", held by " + info.getLockOwnerName());
        }
        a.interrupt(); // they wait interruptibly: the interrupt breaks the deadlock
        b.interrupt();
        a.join();
        b.join();

        out.println("2. The cure: both take the noodles first, then the chopsticks.");
        CountDownLatch ignored = new CountDownLatch(0);
        Thread a2 = Thread.ofPlatform().name("A").start(() -> eat(noodles, chopsticks, ignored));
        Thread b2 = Thread.ofPlatform().name("B").start(() -> eat(noodles, chopsticks, ignored));
        a2.join(10_000);
        b2.join(10_000);
        boolean cured = !a2.isAlive() && !b2.isAlive() && threads.findDeadlockedThreads() == null;
        out.println(cured
                ? "The JVM found A and B each holding the lock the other waited for; taking the locks in one order, both ate."
                : "The cure did not finish in time.");
        out.flush();
        return cured ? 0 : 1;
    }

    /** Takes {@code first}, waits until the other thread holds its first lock too, then takes {@code second}. */
    private static void eat(ReentrantLock first, ReentrantLock second, CountDownLatch bothHoldOne) {
        try {
            first.lockInterruptibly();
            try {
                bothHoldOne.countDown();
                bothHoldOne.await();
                second.lockInterruptibly();
                second.unlock();
            } finally {
                first.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // broken out of the deadlock
        }
    }
}
