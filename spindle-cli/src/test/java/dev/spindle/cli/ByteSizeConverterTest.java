package dev.spindle.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ByteSizeConverterTest {

    private final ByteSizeConverter converter = new ByteSizeConverter();

    @Test
    void readsBytesAndBinaryUnits() {
        assertThat(converter.convert("1")).isEqualTo(1L);
        assertThat(converter.convert("1048576")).isEqualTo(1L << 20);
        assertThat(converter.convert("512k")).isEqualTo(512L << 10);
        assertThat(converter.convert("64m")).isEqualTo(64L << 20);
        assertThat(converter.convert("64M")).isEqualTo(64L << 20);
        assertThat(converter.convert("64MiB")).isEqualTo(64L << 20);
        assertThat(converter.convert("64mb")).isEqualTo(64L << 20);
        assertThat(converter.convert("1g")).isEqualTo(1L << 30);
        assertThat(converter.convert("2t")).isEqualTo(2L << 40);
        assertThat(converter.convert(" 100b ")).isEqualTo(100L);
    }

    @Test
    void rejectsNonsenseZeroNegativeAndOverflowSayingWhy() {
        assertThatThrownBy(() -> converter.convert("lots")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("'lots' is not a size").hasMessageContaining("512k, 64m or 1g");
        assertThatThrownBy(() -> converter.convert("1.5g")).hasMessageContaining("is not a size");
        assertThatThrownBy(() -> converter.convert("0")).hasMessageContaining("'0' must be a positive size");
        assertThatThrownBy(() -> converter.convert("-5m")).hasMessageContaining("'-5m' must be a positive size");
        assertThatThrownBy(() -> converter.convert("9999999t")).hasMessageContaining("too large");
        assertThatThrownBy(() -> converter.convert("99999999999999999999")).hasMessageContaining("too large");
    }
}
