package dev.spindle.process.manager;

import dev.spindle.process.SerializableCallable;

import java.io.Serial;
import java.io.Serializable;

/**
 * A type a manager makes on request: the interface its proxies expose and the factory that makes
 * a new object of it, in the manager. Python's {@code BaseManager.register(typeid, callable)}.
 */
record Registration<T>(Class<T> type, SerializableCallable<? extends T> factory) implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    Registration {
        if (!type.isInterface()) {
            throw new IllegalArgumentException(type.getName() + " is not an interface: a manager's proxy of a "
                    + "registered type implements an interface, so register the interface that the class implements");
        }
    }

    /**
     * The class the factory was written in: what the manager process must be allowed to decode for
     * the factory to reach it (a lambda is decoded through the class that defined it).
     */
    Class<?> definedIn() {
        Class<?> made = factory.getClass();
        String name = made.getName();
        int lambda = name.indexOf("$$Lambda");
        if (lambda < 0) {
            return made;
        }
        try {
            return Class.forName(name.substring(0, lambda), false, made.getClassLoader());
        } catch (ClassNotFoundException e) {
            return made;
        }
    }
}
