package dev.spindle.process;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;

/** A task that runs a class's {@code public static void main(String[])}, as {@code java} would. */
record MainClassTask(String className, List<String> args) implements SerializableCallable<Void> {
    private static final long serialVersionUID = 1L;

    @Override
    public Void call() throws Exception {
        Method main;
        try {
            main = Class.forName(className).getMethod("main", String[].class);
        } catch (ClassNotFoundException e) {
            throw new ClassNotFoundException(className + " is not on the child's class path, which is the parent's: "
                    + System.getProperty("java.class.path"), e);
        }
        if (!Modifier.isStatic(main.getModifiers())) {
            throw new NoSuchMethodException(className + ".main(String[]) must be static to run in a child process");
        }
        try {
            main.invoke(null, (Object) args.toArray(String[]::new));
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception thrown) {
                throw thrown;
            }
            throw (Error) e.getCause();
        }
        return null;
    }
}
