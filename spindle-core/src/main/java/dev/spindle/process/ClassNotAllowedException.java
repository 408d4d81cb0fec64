package dev.spindle.process;

import java.io.InvalidClassException;

/**
 * Decoding met a class the serializer's allow-list does not hold. Nothing of that class was created.
 * The message names the class and how to allow it.
 */
public class ClassNotAllowedException extends InvalidClassException {
    private static final long serialVersionUID = 1L;

    private final String className;

    public ClassNotAllowedException(String className) {
        super(className, "is not on the serialization allow-list, so it was not deserialized; if this "
                + "class is safe to receive, allow it with JavaSerializer.defaults().allow("
                + simpleName(className) + ".class) or .allowPackage(\"" + packageName(className) + "\")");
        this.className = className;
    }

    /** The refused class's name. */
    public String className() {
        return className;
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    private static String packageName(String className) {
        int dot = className.lastIndexOf('.');
        return dot < 0 ? "" : className.substring(0, dot);
    }
}
