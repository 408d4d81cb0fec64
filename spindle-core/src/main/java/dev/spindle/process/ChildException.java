package dev.spindle.process;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * An exception thrown in a child process, as the parent sees it: the original's class name,
 * message and stack trace (and its causes, as {@code ChildException}s in turn). The original
 * object is not deserialized, so its class need not exist in, or be trusted by, the parent.
 *
 * <p>{@link #getMessage()} reads like the original's {@code toString()}, for example
 * {@code java.lang.IllegalStateException: no such order}.
 */
public final class ChildException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final int MAX_CAUSES = 16;

    private final String className;
    private final String originalMessage;

    ChildException(String className, String originalMessage) {
        super(originalMessage == null ? className : className + ": " + originalMessage);
        this.className = className;
        this.originalMessage = originalMessage;
    }

    /** The class name of the exception the child threw. */
    public String className() {
        return className;
    }

    /** The message of the exception the child threw, or null when it had none. */
    public String originalMessage() {
        return originalMessage;
    }

    /**
     * Writes {@code thrown} and its causes: names, messages and frames, never objects. This is how
     * every Spindle child reports what it threw (a process's task, a pool's task); {@link #read}
     * reads it back as a {@code ChildException}, whatever the original's class.
     */
    public static void write(Throwable thrown, DataOutput out) throws IOException {
        int depth = 0;
        for (Throwable t = thrown; t != null && depth < MAX_CAUSES; t = causeOf(t), depth++) {
            out.writeBoolean(true);
            String name = t instanceof ChildException c ? c.className : t.getClass().getName();
            String message = t instanceof ChildException c ? c.originalMessage : messageOf(t);
            out.writeUTF(name);
            writeNullable(message, out);
            StackTraceElement[] frames = framesOf(t);
            out.writeInt(frames.length);
            for (StackTraceElement f : frames) {
                writeNullable(f.getClassLoaderName(), out);
                writeNullable(f.getModuleName(), out);
                writeNullable(f.getModuleVersion(), out);
                out.writeUTF(f.getClassName());
                out.writeUTF(f.getMethodName());
                writeNullable(f.getFileName(), out);
                out.writeInt(f.getLineNumber());
            }
        }
        out.writeBoolean(false);
    }

    /**
     * Prints {@code thrown}'s stack trace, or as much of it as its own code lets: an exception whose
     * {@code getMessage}, {@code toString} or {@code getCause} throws still gets its class named.
     */
    static void printSafely(Throwable thrown, java.io.PrintStream out) {
        try {
            thrown.printStackTrace(out);
        } catch (RuntimeException | LinkageError broken) {
            out.println(thrown.getClass().getName() + " (its own methods threw " + broken.getClass().getName()
                    + " while it was printed)");
            for (StackTraceElement frame : framesOf(thrown)) {
                out.println("\tat " + frame);
            }
        }
    }

    /** What the exception says of itself; an exception whose getMessage throws says that instead. */
    private static String messageOf(Throwable t) {
        try {
            return t.getMessage();
        } catch (RuntimeException | LinkageError e) {
            return "(its getMessage() threw " + e.getClass().getName() + ")";
        }
    }

    private static StackTraceElement[] framesOf(Throwable t) {
        try {
            return t.getStackTrace();
        } catch (RuntimeException | LinkageError e) {
            return new StackTraceElement[0];
        }
    }

    private static Throwable causeOf(Throwable t) {
        try {
            return t.getCause();
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** Reads what {@link #write} wrote: the exception and its causes, as {@code ChildException}s. */
    public static ChildException read(DataInput in) throws IOException {
        ChildException first = null;
        ChildException last = null;
        while (in.readBoolean()) {
            ChildException e = new ChildException(in.readUTF(), readNullable(in));
            StackTraceElement[] frames = new StackTraceElement[in.readInt()];
            for (int i = 0; i < frames.length; i++) {
                frames[i] = new StackTraceElement(readNullable(in), readNullable(in), readNullable(in),
                        in.readUTF(), in.readUTF(), readNullable(in), in.readInt());
            }
            e.setStackTrace(frames);
            if (first == null) {
                first = e;
            } else {
                last.initCause(e);
            }
            last = e;
        }
        return first;
    }

    private static void writeNullable(String s, DataOutput out) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s.length() > 16_000 ? s.substring(0, 16_000) + "…" : s);
        }
    }

    private static String readNullable(DataInput in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
