package dev.spindle.sync;

import dev.spindle.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GeneratorAndCoroutineTest {

    @Test
    void aGeneratorIsLazyAndRunsOnlyAsFarAsItIsAsked() throws Exception {
        AtomicInteger produced = new AtomicInteger();
        try (Generator<Integer> numbers = Generator.of(out -> {
            for (int i = 0; ; i++) {
                produced.incrementAndGet();
                out.yield_(i);
            }
        })) {
            Thread.sleep(50);
            assertThat(produced).as("nothing runs before the first ask").hasValue(0);
            assertThat(numbers.stream().limit(5).toList()).containsExactly(0, 1, 2, 3, 4);
            assertThat(produced).as("one value ahead at most").hasValueBetween(5, 6);
        }
    }

    @Test
    void aGeneratorEndsWhenItsBodyReturnsAndSaysWhatItThrew() {
        try (Generator<String> words = Generator.of(out -> {
            out.yield_("a");
            out.yield_("b");
        })) {
            assertThat(List.of(words.next(), words.next())).containsExactly("a", "b");
            assertThat(words.hasNext()).isFalse();
            assertThatThrownBy(words::next).isInstanceOf(NoSuchElementException.class);
        }
        try (Generator<String> failing = Generator.of(out -> {
            out.yield_("ok");
            throw new IllegalArgumentException("bad input");
        })) {
            assertThat(failing.next()).isEqualTo("ok");
            assertThatThrownBy(failing::hasNext).isInstanceOf(IllegalStateException.class)
                    .hasRootCauseMessage("bad input");
        }
    }

    @Test
    void closingAGeneratorUnwindsItsBodyAtTheYield() throws Exception {
        AtomicBoolean cleanedUp = new AtomicBoolean();
        Generator<Integer> g = Generator.of(out -> {
            try {
                for (int i = 0; ; i++) {
                    out.yield_(i);
                }
            } finally {
                cleanedUp.set(true);
            }
        });
        assertThat(g.next()).isZero();
        g.close();
        Await.until("the body's finally ran", cleanedUp::get);
        assertThat(g.hasNext()).isFalse();
    }

    /** A consumer that walks away without closing: the collector finds the generator and ends its thread. */
    @Test
    void aGeneratorAbandonedMidWayLeavesNoThread() throws Exception {
        AtomicBoolean bodyEnded = new AtomicBoolean();
        abandon(bodyEnded);
        Await.until("the abandoned generator's body has ended", () -> {
            System.gc();
            return bodyEnded.get();
        });
    }

    private static void abandon(AtomicBoolean bodyEnded) {
        Generator<Integer> g = Generator.of(out -> {
            try {
                for (int i = 0; ; i++) {
                    out.yield_(i);
                }
            } finally {
                bodyEnded.set(true);
            }
        });
        assertThat(g.next()).isZero();
        assertThat(g.next()).isOne();
        // g goes out of scope here, unclosed
    }

    @Test
    void nextWithATimeoutGivesUpWithoutLosingTheValue() throws Exception {
        try (Generator<String> slow = Generator.of(out -> {
            Thread.sleep(300);
            out.yield_("late");
        })) {
            assertThatThrownBy(() -> slow.next(Duration.ofMillis(20))).isInstanceOf(TimeoutException.class);
            assertThat(slow.next(Duration.ofSeconds(10))).isEqualTo("late");
        }
    }

    @Test
    void sendDrivesACoroutineAsPythonsGeneratorSend() throws Exception {
        AtomicBoolean closed = new AtomicBoolean();
        Coroutine<Double, Double> average = Coroutine.of(co -> {
            double total = 0;
            int count = 0;
            Double avg = null;
            try {
                while (true) {
                    double x = co.yield_(avg);
                    total += x;
                    avg = total / ++count;
                }
            } finally {
                closed.set(true);
            }
        });
        assertThatThrownBy(() -> average.send(1.0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has not started");
        assertThat(average.start()).isNull();
        assertThat(average.send(10.0)).isEqualTo(10.0);
        assertThat(average.send(30.0)).isEqualTo(20.0);
        assertThat(average.send(5.0)).isEqualTo(15.0);
        average.close();
        Await.until("the coroutine's finally ran", closed::get);
    }

    @Test
    void aCoroutineThatReturnsEndsItsSendsAndOneThatThrowsSaysWhat() throws Exception {
        Coroutine<Integer, Integer> twice = Coroutine.of(co -> {
            int x = co.yield_(0);
            co.yield_(x * 2);
        });
        twice.start();
        assertThat(twice.send(21)).isEqualTo(42);
        assertThatThrownBy(() -> twice.send(1)).isInstanceOf(NoSuchElementException.class);
        assertThat(twice.isDone()).isTrue();
        Coroutine<Integer, Integer> failing = Coroutine.of(co -> {
            co.yield_(0);
            throw new ArithmeticException("divide by zero");
        });
        failing.start();
        assertThatThrownBy(() -> failing.send(1)).isInstanceOf(IllegalStateException.class)
                .hasRootCauseMessage("divide by zero");
    }
}
