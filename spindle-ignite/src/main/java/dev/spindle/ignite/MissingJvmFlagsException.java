package dev.spindle.ignite;

import java.util.List;

/**
 * This JVM cannot run an Ignite node: its command line lacks flags that open JDK internals to
 * Ignite. The message lists them, ready to paste after {@code java}.
 */
public final class MissingJvmFlagsException extends IllegalStateException {

    private final List<String> missing;

    MissingJvmFlagsException(List<String> missing) {
        super("this JVM cannot join an Ignite cluster: start it with these flags (after 'java', before the class "
                + "or -jar; or as Add-Opens in the jar's manifest): " + String.join(" ", missing));
        this.missing = List.copyOf(missing);
    }

    /** The flags to add, as {@code --add-opens=module/package=ALL-UNNAMED}. */
    public List<String> missing() {
        return missing;
    }
}
