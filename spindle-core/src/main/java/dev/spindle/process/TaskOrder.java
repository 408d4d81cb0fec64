package dev.spindle.process;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a parent sends a child once it has authenticated: who the child is, and its task. The
 * header is plain data; only {@link #task} is serializer-encoded, and the child decodes it with an
 * allow-list widened by exactly the names listed here.
 */
record TaskOrder(String name, boolean daemon, boolean prefixOutput, boolean returnsResult,
        List<String> allowedClasses, List<String> allowedPackages, SerializationLimits limits, byte[] task) {

    byte[] encode() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(task.length + 256);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeUTF(name);
        out.writeBoolean(daemon);
        out.writeBoolean(prefixOutput);
        out.writeBoolean(returnsResult);
        writeList(allowedClasses, out);
        writeList(allowedPackages, out);
        out.writeInt(limits.maxDepth());
        out.writeLong(limits.maxReferences());
        out.writeLong(limits.maxArrayLength());
        out.writeInt(task.length);
        out.write(task);
        return bytes.toByteArray();
    }

    static TaskOrder decode(byte[] message) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(message));
        String name = in.readUTF();
        boolean daemon = in.readBoolean();
        boolean prefix = in.readBoolean();
        boolean returns = in.readBoolean();
        List<String> classes = readList(in);
        List<String> packages = readList(in);
        SerializationLimits limits;
        try {
            limits = new SerializationLimits(in.readInt(), in.readLong(), in.readLong());
        } catch (IllegalArgumentException e) {
            throw new java.io.StreamCorruptedException("a task order carried " + e.getMessage());
        }
        byte[] task = new byte[in.readInt()];
        in.readFully(task);
        return new TaskOrder(name, daemon, prefix, returns, classes, packages, limits, task);
    }

    /** The serializer the child decodes the task with, and encodes its result with. */
    JavaSerializer serializer() {
        return JavaSerializer.allowing(allowedClasses, allowedPackages, limits);
    }

    private static void writeList(List<String> list, DataOutputStream out) throws IOException {
        out.writeInt(list.size());
        for (String s : list) {
            out.writeUTF(s);
        }
    }

    private static List<String> readList(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 10_000) {
            throw new java.io.StreamCorruptedException("a task order listed " + n + " allowed names");
        }
        List<String> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(in.readUTF());
        }
        return List.copyOf(list);
    }
}
