package dev.spindle.process.manager;

import dev.spindle.process.Serializer;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * How a manager call's arguments and result cross: the JDK's plain values (null, strings, the
 * boxed integers, doubles and booleans) as a tag and their bytes, anything else through the
 * manager's {@link Serializer} (so through its allow-list). Most keys and values of a shared dict
 * are plain values, and writing them directly costs a fraction of a serialization stream's header:
 * it is what makes a managed dict's call cheaper than Python's pickle.
 */
final class ValueCodec {

    private static final byte NULL = 0;
    private static final byte INT = 1;
    private static final byte LONG = 2;
    private static final byte DOUBLE = 3;
    private static final byte TRUE = 4;
    private static final byte FALSE = 5;
    private static final byte STRING = 6;
    private static final byte SERIALIZED = 7;

    private ValueCodec() {
    }

    /** A buffer to encode into: a stream whose bytes {@link #bytes} returns without a copy's header. */
    static final class Out extends ByteArrayOutputStream {
        final DataOutputStream data = new DataOutputStream(this);

        Out(int size) {
            super(size);
        }

        /** The bytes written so far, as one array of exactly their length. */
        byte[] bytes() {
            return buf.length == count ? buf : toByteArray();
        }
    }

    /** Writes {@code value}: directly when it is a plain value, else as {@code serializer} encodes it. */
    static void write(Out out, Object value, Serializer serializer) throws IOException {
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
    static Object read(ByteBuffer in, Serializer serializer) throws IOException {
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
            default -> throw new StreamCorruptedException("a manager call holds a value of unknown kind " + tag);
        };
    }

    private static int length(ByteBuffer in) throws StreamCorruptedException {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new StreamCorruptedException("a manager call's value claims " + length + " bytes, and "
                    + in.remaining() + " are left");
        }
        return length;
    }
}
