package org.example.gadgets;

import java.io.Serializable;

/** Stands for any class a peer might send that nobody allowed: outside Spindle's packages. */
public final class Gadget implements Serializable {
    private static final long serialVersionUID = 1L;
    /** How many Gadgets deserialization has finished; readResolve counts them. */
    public static int resolved;
    private final String payload;

    public Gadget(String payload) {
        this.payload = payload;
    }

    public String payload() {
        return payload;
    }

    private Object readResolve() {
        resolved++;
        return this;
    }
}
