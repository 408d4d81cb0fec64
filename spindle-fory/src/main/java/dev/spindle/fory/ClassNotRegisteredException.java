package dev.spindle.fory;

import dev.spindle.process.ClassNotAllowedException;

/**
 * A {@link ForySerializer} met a class that is not registered with it while decoding. Nothing of
 * that class was created: Fory looked the class up by name (without initializing it) and refused
 * it. The message names the class and how to register it.
 *
 * <p>A {@link ClassNotAllowedException}, so code that handles {@code JavaSerializer}'s refusals
 * handles this one too.
 */
public final class ClassNotRegisteredException extends ClassNotAllowedException {
    private static final long serialVersionUID = 1L;

    /**
     * @param className the refused class's binary name, as {@link Class#getName()} gives it
     */
    public ClassNotRegisteredException(String className) {
        super(className);
    }

    @Override
    public String getMessage() {
        String name = className();
        String simple = name.substring(name.lastIndexOf('.') + 1).replace('$', '.');
        return name + " is not registered with the ForySerializer, so it was not decoded. A pipe's two ends "
                + "share one serializer, so the sender used another one or the bytes were not made by "
                + "ForySerializer. If the class is safe to receive, register it on the serializer the pipe is "
                + "opened with: ForySerializer.registering(" + simple + ".class, ...)";
    }
}
