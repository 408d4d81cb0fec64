package dev.spindle.cli;

import dev.spindle.sync.Task;
import dev.spindle.sync.TaskGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code spindle resolve}: the seeds' concurrent DNS look-ups (seed 002: {@code gethostbyname} in
 * greenlets under {@code joinall(timeout=2)}), each name on a platform thread of a
 * {@link TaskGroup}; a name not resolved by the deadline is listed as such, never waited for.
 */
@Command(name = "resolve", mixinStandardHelpOptions = true,
        description = "Resolves names at once (A and AAAA); names not resolved by the deadline are listed, not waited for.")
final class ResolveCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "NAME", description = "Host names to resolve.")
    List<String> names;

    @Option(names = "--deadline", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "2s",
            description = "How long the whole look-up may take (default: ${DEFAULT-VALUE}, as the seed's joinall).")
    Duration deadline;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Task<Lookup>> lookups = new LinkedHashMap<>();
        List<String> late = new ArrayList<>();
        int resolved = 0;
        // A look-up blocks in a native call: on a virtual thread it would hold a carrier, so that more
        // names than cores would resolve in turns. It also ignores interrupts; closing the group leaves
        // a late one to end by itself (a daemon thread), unwaited for.
        try (TaskGroup group = TaskGroup.open("resolve", Thread.ofPlatform().daemon(true))) {
            for (String name : names) {
                lookups.put(name, group.spawn(() -> Lookup.of(name)));
            }
            group.joinAll(deadline);
            for (Map.Entry<String, Task<Lookup>> e : lookups.entrySet()) {
                Lookup lookup = e.getValue().value().orElse(null);
                if (lookup == null) {
                    late.add(e.getKey());
                } else if (lookup.addresses() != null) {
                    resolved++;
                    out.println(e.getKey() + ": " + describe(lookup.addresses()));
                } else {
                    out.println(e.getKey() + ": " + lookup.failure());
                }
            }
        }
        if (!late.isEmpty()) {
            out.println("not resolved within " + deadline + ": " + String.join(", ", late));
        }
        out.println(resolved + " of " + names.size() + " names resolved");
        out.flush();
        return 0;
    }

    /**
     * One name's answer: its addresses, or why there are none. A failed look-up is an answer, not
     * a failed task, so that it does not cancel the others (a task group cancels on failure).
     */
    private record Lookup(InetAddress[] addresses, String failure) {
        static Lookup of(String name) {
            try {
                return new Lookup(InetAddress.getAllByName(name), null);
            } catch (UnknownHostException e) {
                return new Lookup(null, "no such name");
            }
        }
    }

    private static String describe(InetAddress[] addresses) {
        List<String> v4 = new ArrayList<>();
        List<String> v6 = new ArrayList<>();
        for (InetAddress a : addresses) {
            if (a instanceof Inet4Address) {
                v4.add(a.getHostAddress());
            } else if (a instanceof Inet6Address) {
                v6.add(a.getHostAddress());
            }
        }
        return "A " + (v4.isEmpty() ? "-" : String.join(" ", v4)) + "  AAAA " + (v6.isEmpty() ? "-" : String.join(" ", v6));
    }
}
