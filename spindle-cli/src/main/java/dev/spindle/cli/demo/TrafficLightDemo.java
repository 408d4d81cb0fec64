package dev.spindle.cli.demo;

import dev.spindle.cli.DurationConverter;
import dev.spindle.cli.WholeNumberConverter;
import dev.spindle.sync.Event;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The seeds' traffic light (seed 000): a light thread raises an {@link Event} for green and lowers
 * it for red; car threads arrive at random and wait on the event before they pass. Every car
 * passes while the light is green, and waits while it is red.
 */
@Command(name = "traffic-light", mixinStandardHelpOptions = true,
        description = "The seeds' traffic light: cars wait on an Event that the light sets for green and clears for red.")
final class TrafficLightDemo implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--cycles", converter = WholeNumberConverter.Positive.class,
            description = "Green-red cycles of the light (default: ${DEFAULT-VALUE}).", defaultValue = "3")
    int cycles;

    @Option(names = "--cars", converter = WholeNumberConverter.Positive.class,
            description = "Cars that arrive during the run (default: ${DEFAULT-VALUE}).", defaultValue = "8")
    int cars;

    @Option(names = "--phase", converter = DurationConverter.class,
            description = "How long green and red each last (default: ${DEFAULT-VALUE}; the seed's is seconds).",
            defaultValue = "300ms")
    Duration phase;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Event green = new Event();
        AtomicInteger passedOnGreen = new AtomicInteger();
        AtomicInteger waitedAtRed = new AtomicInteger();
        long runMillis = phase.toMillis() * 2 * cycles;
        Thread light = Thread.ofPlatform().name("light").start(() -> {
            try {
                for (int c = 1; c <= cycles; c++) {
                    green.set();
                    say(out, "light: GREEN (cycle " + c + ")");
                    Thread.sleep(phase);
                    green.clear();
                    say(out, "light: RED");
                    Thread.sleep(phase);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                green.set(); // the road opens at the end, so that no car is left waiting
            }
        });
        List<Thread> traffic = new ArrayList<>();
        for (int i = 1; i <= cars; i++) {
            int car = i;
            long arrival = ThreadLocalRandom.current().nextLong(Math.max(1, runMillis - phase.toMillis()));
            traffic.add(Thread.ofVirtual().name("car-" + car).start(() -> {
                try {
                    Thread.sleep(arrival);
                    if (!green.isSet()) {
                        waitedAtRed.incrementAndGet();
                        say(out, "car " + car + ": red, waiting");
                    }
                    green.await();
                    passedOnGreen.incrementAndGet();
                    say(out, "car " + car + ": passes on green");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread car : traffic) {
            car.join();
        }
        light.join();
        out.println("The light went green " + cycles + " times; all " + passedOnGreen.get() + " cars passed only "
                + "on green, " + waitedAtRed.get() + " of them after waiting at red on the Event.");
        out.flush();
        return passedOnGreen.get() == cars ? 0 : 1;
    }

    /** One line; PrintWriter writes each println whole, whichever thread calls it. */
    private static void say(PrintWriter out, String line) {
        out.println(line);
        out.flush();
    }
}
