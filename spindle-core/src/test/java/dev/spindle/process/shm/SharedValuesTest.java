package dev.spindle.process.shm;

import dev.spindle.process.JavaCommand;
import dev.spindle.process.Process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Values and arrays in shared memory, changed by several processes at once. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharedValuesTest {

    private static final int CHILDREN = 3;
    private static final int EACH = 20_000;

    @AfterAll
    static void noChildOutlivesTheTests() throws Exception {
        JavaCommand.noChildOutlivesTheTests();
    }

    private static void inChildrenAndHere(dev.spindle.process.SerializableRunnable work) throws Exception {
        List<Process<Void>> children = new ArrayList<>();
        for (int i = 0; i < CHILDREN; i++) {
            children.add(Process.target(work).start());
        }
        work.run();
        for (Process<Void> child : children) {
            child.join();
            assertThat(child.exitCode()).hasValue(0);
            child.close();
        }
    }

    @Test
    void countersIncrementedByEveryProcessAtOnceSumExactlyWithNoLock() throws Exception {
        SharedValue.OfLong longs = SharedValue.ofLong(0);
        SharedValue.OfInt ints = SharedValue.ofInt(0);
        SharedValue.OfDouble doubles = SharedValue.ofDouble(0);
        inChildrenAndHere(() -> {
            for (int i = 0; i < EACH; i++) {
                longs.incrementAndGet();
                ints.getAndAdd(2);
                doubles.getAndAdd(0.5);
            }
        });
        assertThat(longs.get()).isEqualTo((CHILDREN + 1L) * EACH);
        assertThat(ints.get()).isEqualTo((CHILDREN + 1) * EACH * 2);
        assertThat(doubles.get()).isEqualTo((CHILDREN + 1) * EACH * 0.5);
        longs.close();
        ints.close();
        doubles.close();
    }

    @Test
    void aCompoundUpdateUnderTheValuesLockLosesNothing() throws Exception {
        SharedValue.OfLong a = SharedValue.ofLong(0, true);
        SharedValue.OfLong b = SharedValue.ofLong(0);
        inChildrenAndHere(() -> {
            for (int i = 0; i < 200; i++) {
                a.lock().lock();
                try {
                    long seen = a.get(); // a read, then a write: only the lock makes them one step
                    b.set(b.get() + 1);
                    a.set(seen + 1);
                } finally {
                    a.lock().unlock();
                }
            }
        });
        assertThat(a.get()).isEqualTo((CHILDREN + 1) * 200L);
        assertThat(b.get()).isEqualTo((CHILDREN + 1) * 200L);
        assertThatThrownBy(b::lock).isInstanceOf(IllegalStateException.class).hasMessageContaining("ofLong(initial, true)");
    }

    @Test
    void anArrayFilledByEveryProcessIsSeenWholeByEvery() throws Exception {
        SharedArray.OfLong slots = SharedArray.ofLongs(CHILDREN, false);
        SharedArray.OfDouble sums = SharedArray.ofDoubles(1, false);
        SharedArray.OfByte bytes = SharedArray.ofBytes(1 << 20, false);
        List<Process<Void>> children = new ArrayList<>();
        for (int c = 0; c < CHILDREN; c++) {
            int slot = c;
            children.add(Process.target(() -> {
                slots.set(slot, slot + 100);
                sums.getAndAdd(0, 1.5);
                byte[] mine = new byte[1000];
                java.util.Arrays.fill(mine, (byte) (slot + 1));
                bytes.write(slot * 1000, mine, 0, mine.length);
            }).start());
        }
        for (Process<Void> child : children) {
            child.join();
            assertThat(child.exitCode()).hasValue(0);
            child.close();
        }
        assertThat(slots.toArray()).containsExactly(100, 101, 102);
        assertThat(sums.get(0)).isEqualTo(CHILDREN * 1.5);
        byte[] back = new byte[CHILDREN * 1000];
        bytes.read(0, back, 0, back.length);
        for (int c = 0; c < CHILDREN; c++) {
            assertThat(back[c * 1000]).isEqualTo((byte) (c + 1));
            assertThat(back[c * 1000 + 999]).isEqualTo((byte) (c + 1));
        }
        try (Process<long[]> reader = Process.callable(slots::toArray).start()) {
            assertThat(reader.result()).containsExactly(100, 101, 102);
        }
        assertThatThrownBy(() -> slots.get(CHILDREN)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> slots.write(2, new long[2], 0, 2)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
