package dev.spindle.ignite;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a JVM must be started with to run an Ignite node (a server or a client), on JDK 17 and
 * later: Ignite reaches into the JDK's internals (its {@code GridUnsafe} needs
 * {@code java.nio.Buffer.address}, and so on), which the module system keeps closed unless the
 * command line opens them. The list is Ignite 2.17's own ({@code bin/include/jvmdefaults.sh}).
 *
 * <p>{@code spindle cluster} sets them itself; a program of yours that calls
 * {@link Cluster#connect} needs them on its {@code java} command line, or in its jar's manifest
 * ({@code Add-Opens}). {@link Cluster#connect} checks them first and names the missing ones.
 */
public final class IgniteJvm {

    /** {@code module/package} pairs Ignite needs open to the class path. */
    static final List<String> OPENS = List.of(
            "java.base/jdk.internal.access", "java.base/jdk.internal.misc", "java.base/sun.nio.ch",
            "java.base/sun.util.calendar", "java.management/com.sun.jmx.mbeanserver",
            "jdk.internal.jvmstat/sun.jvmstat.monitor", "java.base/sun.reflect.generics.reflectiveObjects",
            "jdk.management/com.sun.management.internal", "java.base/java.io", "java.base/java.nio",
            "java.base/java.net", "java.base/java.util", "java.base/java.util.concurrent",
            "java.base/java.util.concurrent.locks", "java.base/java.util.concurrent.atomic", "java.base/java.lang",
            "java.base/java.lang.invoke", "java.base/java.math", "java.sql/java.sql", "java.base/java.lang.reflect",
            "java.base/java.time", "java.base/java.text", "java.management/sun.management",
            "java.desktop/java.awt.font");

    private IgniteJvm() {
    }

    /** The flags, one {@code --add-opens=module/package=ALL-UNNAMED} each, for a {@code java} command line. */
    public static List<String> flags() {
        return OPENS.stream().map(p -> "--add-opens=" + p + "=ALL-UNNAMED").toList();
    }

    /** The flags this JVM lacks: empty when it can run a node. */
    public static List<String> missingFlags() {
        Module unnamed = IgniteJvm.class.getClassLoader().getUnnamedModule();
        List<String> missing = new ArrayList<>();
        for (String pair : OPENS) {
            String moduleName = pair.substring(0, pair.indexOf('/'));
            String pkg = pair.substring(pair.indexOf('/') + 1);
            Optional<Module> module = ModuleLayer.boot().findModule(moduleName);
            // A module this JDK does not have (java.desktop on a jlinked runtime) cannot be opened and is not needed.
            if (module.isPresent() && module.get().getPackages().contains(pkg) && !module.get().isOpen(pkg, unnamed)) {
                missing.add("--add-opens=" + pair + "=ALL-UNNAMED");
            }
        }
        return missing;
    }

    /**
     * Throws unless this JVM has every flag.
     *
     * @throws MissingJvmFlagsException naming the flags to add
     */
    static void require() {
        List<String> missing = missingFlags();
        if (!missing.isEmpty()) {
            throw new MissingJvmFlagsException(missing);
        }
    }
}
