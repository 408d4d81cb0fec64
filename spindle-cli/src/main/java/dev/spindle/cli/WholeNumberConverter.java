package dev.spindle.cli;

import java.math.BigInteger;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a whole-number option and refuses a value outside the option's range while the command
 * line is parsed, so the user gets a usage error (exit code 2) that names the option, says the
 * allowed range and shows the usage, instead of a library's wording about a builder argument.
 * picocli prefixes the message with {@code Invalid value for option '--name':}.
 *
 * <p>Each range is a nested subclass because picocli instantiates converters by class.
 *
 * @param <T> the option's type
 */
public abstract class WholeNumberConverter<T extends Number> implements ITypeConverter<T> {

    private final long min;
    private final long max;

    WholeNumberConverter(long min, long max) {
        this.min = min;
        this.max = max;
    }

    /** The value as a long inside [min, max]; a {@link TypeConversionException} saying the range otherwise. */
    final long parse(String value) {
        BigInteger n;
        try {
            n = new BigInteger(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a whole number; " + range());
        }
        // BigInteger, so that a value past Long.MAX_VALUE is out of range rather than "not a number".
        if (n.compareTo(BigInteger.valueOf(min)) < 0) {
            throw new TypeConversionException(n + " is out of range; " + range());
        }
        if (n.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new TypeConversionException(n + " is out of range; it must be " + min + " to " + max);
        }
        return n.longValueExact();
    }

    private String range() {
        return max == Integer.MAX_VALUE || max == Long.MAX_VALUE
                ? "it must be " + min + " or more" : "it must be " + min + " to " + max;
    }

    /** The ranges of {@code int} options: picocli needs a class per range, each with a no-argument constructor. */
    public abstract static class IntInRange extends WholeNumberConverter<Integer> {
        IntInRange(int min, int max) {
            super(min, max);
        }

        @Override
        public final Integer convert(String value) {
            return (int) parse(value);
        }
    }

    /** 1 or more: counts of threads, loops, connections, bytes per message. */
    public static final class Positive extends IntInRange {
        Positive() {
            super(1, Integer.MAX_VALUE);
        }
    }

    /** 0 or more: queue lengths, item counts. */
    public static final class NonNegative extends IntInRange {
        NonNegative() {
            super(0, Integer.MAX_VALUE);
        }
    }

    /** A TCP port, 0 to 65535 (0: a server picks a free one). */
    public static final class Port extends IntInRange {
        Port() {
            super(0, 65535);
        }
    }

    /** A size in bytes, 0 or more, up to {@link Long#MAX_VALUE}. */
    public static final class ByteCount extends WholeNumberConverter<Long> {
        ByteCount() {
            super(0, Long.MAX_VALUE);
        }

        @Override
        public Long convert(String value) {
            return parse(value);
        }
    }
}
