package dev.spindle.cli;

import picocli.CommandLine;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads durations as people type them: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, a bare
 * number of seconds, or ISO {@code PT30S}. No option of the command takes a negative duration, so
 * every negative form ({@code -5s}, {@code -PT5S}, {@code PT-5S}) is refused as negative, not as
 * something that is not a duration.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    private static final Pattern SHORT = Pattern.compile("(-?)(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    @Override
    public Duration convert(String value) {
        Duration duration = parse(value.trim());
        if (duration == null) {
            throw new CommandLine.TypeConversionException("'" + value
                    + "' is not a duration; write it as 500ms, 30s, 2m, 1h or PT30S");
        }
        if (duration.isNegative()) {
            throw new CommandLine.TypeConversionException("'" + value
                    + "' is negative; a duration must be zero or more, such as 0s, 500ms or 30s");
        }
        return duration;
    }

    /** The duration {@code v} names, negative ones included; null when it names none. */
    private static Duration parse(String v) {
        Matcher m = SHORT.matcher(v.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            double amount = Double.parseDouble(m.group(2));
            String unit = m.group(3) == null ? "s" : m.group(3);
            double millis = switch (unit) {
                case "ms" -> amount;
                case "s" -> amount * 1_000;
                case "m" -> amount * 60_000;
                default -> amount * 3_600_000;
            };
            Duration magnitude = Duration.ofNanos(Math.round(millis * 1_000_000));
            return m.group(1).isEmpty() ? magnitude : magnitude.negated();
        }
        try {
            return Duration.parse(v.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
