package dev.spindle.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationConverterTest {

    private final DurationConverter converter = new DurationConverter();

    @Test
    void readsTheWaysPeopleWriteDurations() {
        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(converter.convert("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(converter.convert("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(converter.convert("7")).isEqualTo(Duration.ofSeconds(7));
        assertThat(converter.convert("PT0.25S")).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void refusesEveryNegativeFormAsNegativeNotAsNonsense() {
        for (String negative : new String[] {"-5s", "-1ms", "-0.5s", "-2m", "-1h", "-7", "-PT5S", "PT-5S", "-pt0.001s"}) {
            assertThatThrownBy(() -> converter.convert(negative))
                    .as(negative)
                    .isInstanceOf(CommandLine.TypeConversionException.class)
                    .hasMessage("'" + negative + "' is negative; a duration must be zero or more, such as 0s, 500ms or 30s");
        }
    }

    @Test
    void zeroIsADurationWhicheverSignItIsWrittenWith() {
        assertThat(converter.convert("0s")).isZero();
        assertThat(converter.convert("-0s")).isZero();
        assertThat(converter.convert("-PT0S")).isZero();
    }

    @Test
    void rejectsNonsenseWithTheFormsItTakes() {
        assertThatThrownBy(() -> converter.convert("soon"))
                .isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("500ms, 30s, 2m, 1h or PT30S");
    }
}
