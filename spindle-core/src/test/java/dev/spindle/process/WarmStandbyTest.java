package dev.spindle.process;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WarmStandbyTest {

    @Test
    void aStartThatFindsTheSetEmptyDoublesItUpToTheLimit() {
        assertThat(WarmStandby.grown(2, 4)).isEqualTo(4);
        assertThat(WarmStandby.grown(3, 4)).as("doubled past the limit: the limit").isEqualTo(4);
        assertThat(WarmStandby.grown(4, 4)).isEqualTo(4);
        assertThat(WarmStandby.grown(0, 4)).as("a set of none stays none").isZero();
    }

    @Test
    void aSizePreparedAboveTheLimitIsNotShrunkByAStartThatFindsTheSetEmpty() {
        // prepareWarmStandby(8, ...) promises the size until exit; a miss once cut it to the limit.
        assertThat(WarmStandby.grown(8, 4)).isEqualTo(8);
    }
}
