package dev.spindle.cli;

import picocli.CommandLine;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads sizes as people type them: a number of bytes, or one with a binary unit, {@code 512k},
 * {@code 64m}, {@code 1g} ({@code 64M}, {@code 64mb} and {@code 64MiB} mean the same). Positive
 * only: a size is a limit, and a limit of nothing is a mistake.
 */
final class ByteSizeConverter implements CommandLine.ITypeConverter<Long> {

    private static final Pattern SIZE = Pattern.compile("(-?\\d+)\\s*(?:([kmgt])(?:i?b)?|b)?");

    @Override
    public Long convert(String value) {
        Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + value
                    + "' is not a size; write it in bytes or with a unit, such as 512k, 64m or 1g");
        }
        long amount;
        try {
            amount = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw tooLarge(value);
        }
        if (amount <= 0) {
            throw new CommandLine.TypeConversionException("'" + value + "' must be a positive size, such as 64m");
        }
        int shift = m.group(2) == null ? 0 : switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 40;
        };
        if (amount > Long.MAX_VALUE >> shift) {
            throw tooLarge(value);
        }
        return amount << shift;
    }

    private static CommandLine.TypeConversionException tooLarge(String value) {
        return new CommandLine.TypeConversionException("'" + value + "' is too large a size");
    }
}
