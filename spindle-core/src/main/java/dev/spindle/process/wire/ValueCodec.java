package dev.spindle.process.wire;

import dev.spindle.process.Serializer;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * How plain values cross in a manager call or a pool task: the JDK's plain values (null, strings, the
 * boxed integers, doubles and booleans) as a tag and their bytes, anything else through the
 * manager's {@link Serializer} (so through its allow-list). Most keys and values of a shared dict
 * are plain values, and writing them directly costs a fraction of a serialization stream's header:
 * it is what makes a managed dict's call cheaper than Python's pickle.
 */
public final class ValueCodec {

    private static final byte NULL = 0;
    private static final byte INT = 1;
    private static final byte LONG = 2;
    private static final byte DOUBLE = 3;
    private static final byte TRUE = 4;
    private static final byte FALSE = 5;
    private static final byte STRING = 6;
    private static final byte SERIALIZED = 7;
    /** Lists ({@link #writeAll}): of any values, each as {@link #write} writes it, or packed. */
    private static final byte LIST = 8;
    private static final byte INTS = 9;
    private static final byte LONGS = 10;
    private static final byte DOUBLES = 11;

    private ValueCodec() {
    }

    /** A buffer to encode into: a stream whose bytes {@link #bytes} returns without a copy's header. */
    public static final class Out extends ByteArrayOutputStream {
        final DataOutputStream data = new DataOutputStream(this);

        public Out(int size) {
            super(size);
        }

        /** A data view of this buffer, for what a message writes around its values. */
        public DataOutputStream data() {
            return data;
        }

        /** The bytes written so far, as one array of exactly their length. */
        public byte[] bytes() {
            return buf.length == count ? buf : toByteArray();
        }
    }

    /** Writes {@code value}: directly when it is a plain value, else as {@code serializer} encodes it. */
    public static void write(Out out, Object value, Serializer serializer) throws IOException {
        DataOutputStream data = out.data;
        switch (value) {
            case null -> data.writeByte(NULL);
            case Integer i -> {
                data.writeByte(INT);
                data.writeInt(i);
            }
            case Long l -> {
                data.writeByte(LONG);
                data.writeLong(l);
            }
            case Double d -> {
                data.writeByte(DOUBLE);
                data.writeDouble(d);
            }
            case Boolean b -> data.writeByte(b ? TRUE : FALSE);
            case String s -> {
                byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                data.writeByte(STRING);
                data.writeInt(utf8.length);
                data.write(utf8);
            }
            default -> {
                byte[] encoded = serializer.encode(value);
                data.writeByte(SERIALIZED);
                data.writeInt(encoded.length);
                data.write(encoded);
            }
        }
    }

    /** Reads a value {@link #write} wrote. */
    public static Object read(ByteBuffer in, Serializer serializer) throws IOException {
        byte tag = in.get();
        return switch (tag) {
            case NULL -> null;
            case INT -> in.getInt();
            case LONG -> in.getLong();
            case DOUBLE -> in.getDouble();
            case TRUE -> Boolean.TRUE;
            case FALSE -> Boolean.FALSE;
            case STRING -> {
                byte[] utf8 = new byte[length(in)];
                in.get(utf8);
                yield new String(utf8, StandardCharsets.UTF_8);
            }
            case SERIALIZED -> {
                byte[] encoded = new byte[length(in)];
                in.get(encoded);
                yield serializer.decode(encoded);
            }
            default -> throw new StreamCorruptedException("a message holds a value of unknown kind " + tag);
        };
    }

    /**
     * Writes a list of values: packed when every one is an {@code Integer}, every one a
     * {@code Long} or every one a {@code Double} (a pool's chunk of numbers then costs four or
     * eight bytes an item and no tag), else each as {@link #write} writes it.
     */
    public static void writeAll(Out out, java.util.List<?> values, Serializer serializer) throws IOException {
        int n = values.size();
        byte packed = packedKind(values);
        if (packed == LIST) {
            out.data.writeByte(LIST);
            out.data.writeInt(n);
            for (Object value : values) {
                write(out, value, serializer);
            }
            return;
        }
        ByteBuffer bytes = ByteBuffer.allocate(5 + n * (packed == INTS ? 4 : 8)).put(packed).putInt(n);
        switch (packed) {
            case INTS -> values.forEach(v -> bytes.putInt((Integer) v));
            case LONGS -> values.forEach(v -> bytes.putLong((Long) v));
            default -> values.forEach(v -> bytes.putDouble((Double) v));
        }
        out.write(bytes.array(), 0, bytes.position());
    }

    /** Reads a list {@link #writeAll} wrote. */
    public static java.util.List<Object> readAll(ByteBuffer in, Serializer serializer) throws IOException {
        byte tag = in.get();
        int n = in.getInt();
        int least = switch (tag) {
            case LIST -> 1;
            case INTS -> 4;
            case LONGS, DOUBLES -> 8;
            default -> throw new StreamCorruptedException("a message holds a list of unknown kind " + tag);
        };
        if (n < 0 || (long) n * least > in.remaining()) {
            throw new StreamCorruptedException("a message's list claims " + n + " items, and " + in.remaining()
                    + " bytes are left");
        }
        Object[] values = new Object[n];
        for (int i = 0; i < n; i++) {
            values[i] = switch (tag) {
                case INTS -> in.getInt();
                case LONGS -> in.getLong();
                case DOUBLES -> in.getDouble();
                default -> read(in, serializer);
            };
        }
        return java.util.Arrays.asList(values);
    }

    private static byte packedKind(java.util.List<?> values) {
        if (values.isEmpty()) {
            return LIST;
        }
        Class<?> first = values.get(0) == null ? null : values.get(0).getClass();
        if (first != Integer.class && first != Long.class && first != Double.class) {
            return LIST;
        }
        for (Object value : values) {
            if (value == null || value.getClass() != first) {
                return LIST;
            }
        }
        return first == Integer.class ? INTS : first == Long.class ? LONGS : DOUBLES;
    }

    private static int length(ByteBuffer in) throws StreamCorruptedException {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new StreamCorruptedException("a message's value claims " + length + " bytes, and "
                    + in.remaining() + " are left");
        }
        return length;
    }
}
