package dev.spindle.process;

import dev.spindle.internal.Deadline;
import dev.spindle.process.wire.Dialer;
import dev.spindle.process.wire.ExitSequence;
import dev.spindle.process.wire.Hello;
import dev.spindle.process.wire.Hub;
import dev.spindle.process.wire.Peer;
import dev.spindle.process.wire.Peers;
import dev.spindle.process.wire.Rehearsal;
import dev.spindle.process.wire.RemoteHubKeys;
import dev.spindle.process.wire.Run;

import java.io.DataInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * The entry point of every child JVM: reads its bootstrap, connects back to its parent's
 * {@link Hub}, authenticates, takes one {@link TaskOrder} from its {@link ChildLink}, runs it,
 * reports its {@link Outcome} there and exits: 0 when the task returned, 1 when it threw, the task's own code when
 * it called {@code System.exit}, 128 + n after signal n.
 *
 * <p>A thread reads the standard input, which is a pipe from the parent, to its end: end-of-file
 * there means the parent died, and an idle or daemon child then halts at once.
 */
final class ChildMain {

    private static final AtomicBoolean REPORTED = new AtomicBoolean();
    private static final byte[] NOTHING = new byte[0];
    private static volatile boolean busy;
    private static volatile boolean daemon;
    private static volatile Peer parent;

    private ChildMain() {
    }

    public static void main(String[] args) throws Exception {
        DataInputStream stdin = new DataInputStream(new FileInputStream(FileDescriptor.in));
        // Unbuffered, so that nothing past the bootstrap is read ahead of the watcher's channel.
        if (stdin.readInt() != ChildJvm.BOOTSTRAP_MAGIC) {
            System.err.println("dev.spindle.process.ChildMain runs the child side of dev.spindle.process.Process; "
                    + "it is not meant to be started by hand");
            System.exit(2);
        }
        byte[] key = new byte[32];
        stdin.readFully(key);
        String hub = stdin.readUTF();
        Path runDirectory = Path.of(stdin.readUTF());
        long token = stdin.readLong();
        long parentPid = stdin.readLong();
        boolean standby = stdin.readBoolean();
        watchParent();
        if (standby) {
            warmUp(runDirectory);
        }

        Peer link;
        try {
            link = Peer.start(Dialer.dial(Path.of(hub), key, Hello.of(Hello.CHILD, token, 0),
                    Deadline.afterNanos(Hub.HELLO_TIMEOUT_NANOS)), parentPid, null);
        } catch (IOException e) {
            if (!standby) {
                // A standby whose parent is exiting has nothing to say; a child with a task does.
                System.err.println("spindle: a child JVM could not reach its parent (pid " + parentPid + ") at " + hub
                        + ": " + e.getMessage() + "; it exits without running its task");
            }
            System.err.flush();
            Runtime.getRuntime().halt(1);
            return;
        }
        // Objects the parent serves are called over this link, not a second connection.
        Peers.add(Path.of(hub), link);
        parent = link;
        // Installed before the task arrives, so a standby child has nothing left to set up.
        for (String name : new String[] {"TERM", "INT", "HUP"}) {
            Signal.handle(new Signal(name), signal -> {
                ExitSequence.endingOnSignal();
                report(Outcome.signalled(signal.getNumber()));
                Runtime.getRuntime().exit(128 + signal.getNumber());
            });
        }
        ExitSequence.at(ExitSequence.Step.REPORT, () -> report(Outcome.exited()));

        TaskOrder order;
        try {
            java.nio.ByteBuffer given = link.call(0, ChildLink.TAKE_TASK, NOTHING, Deadline.NONE);
            byte[] bytes = new byte[given.remaining()];
            given.get(bytes);
            order = TaskOrder.decode(bytes);
            link.oneWay(0, ChildLink.GOT_TASK, NOTHING, 0, 0);
        } catch (IOException e) {
            // The parent let go of this child before giving it a task: it is exiting, or closed its standby set.
            if (!standby) {
                System.err.println("spindle: a child JVM lost its parent (pid " + parentPid + ") before its task "
                        + "arrived: " + e.getMessage());
            }
            System.err.flush();
            Runtime.getRuntime().halt(1);
            return;
        }
        daemon = order.daemon();
        busy = true;
        Run.joinAsChild(key, runDirectory,
                new ProcessInfo(order.name(), ProcessHandle.current().pid(), parentPid, order.daemon()));
        if (order.prefixOutput()) {
            byte[] prefix = ("[" + order.name() + "] ").getBytes(StandardCharsets.UTF_8);
            System.setOut(prefixed(FileDescriptor.out, prefix));
            System.setErr(prefixed(FileDescriptor.err, prefix));
        }

        order.remoteHubs().adopt();
        JavaSerializer serializer = order.serializer();
        try {
            Object task = serializer.decode(order.task());
            Object value = null;
            if (task instanceof SerializableCallable<?> callable) {
                value = callable.call();
            } else {
                ((SerializableRunnable) task).run();
            }
            report(Outcome.returned(order.returnsResult() ? serializer.encode(value) : new byte[0]));
        } catch (Throwable thrown) {
            // As Python does, the child prints its own traceback; the parent gets it too.
            System.err.println("Process " + order.name() + ":");
            ChildException.printSafely(thrown, System.err);
            report(Outcome.threw(thrown));
            System.out.flush();
            System.exit(1);
        }
        System.out.flush();
        System.err.flush();
    }

    /**
     * Sends the outcome once; later calls (a signal after the result, the exit hook) do nothing.
     * It is in the kernel on its way to the parent when this returns, so the exit that follows
     * cannot lose it.
     */
    private static void report(Outcome outcome) {
        Peer link = parent;
        if (link == null || !REPORTED.compareAndSet(false, true)) {
            return;
        }
        try {
            byte[] bytes = outcome.encode();
            link.oneWay(0, ChildLink.OUTCOME, bytes, 0, bytes.length);
        } catch (IOException e) {
            // The parent is gone or not listening; the exit code still tells the story.
        }
    }

    /**
     * Reads the standard input to its end on a thread of its own. The read goes through an
     * interruptible channel that a shutdown hook closes: HotSpot's exit waits up to 300 ms for
     * threads blocked in native code, which a plain stream read is.
     */
    private static void watchParent() {
        java.nio.channels.FileChannel input = new FileInputStream(FileDescriptor.in).getChannel();
        AtomicBoolean exiting = new AtomicBoolean();
        Thread watcher = new Thread(() -> {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(64);
            try {
                while (input.read(buffer.clear()) >= 0) {
                    // The parent never writes after the bootstrap; anything else is ignored.
                }
            } catch (IOException e) {
                // Closed by the exit hook, or failed: only end-of-file below means the parent died.
                if (exiting.get()) {
                    return;
                }
            }
            if (!busy || daemon) {
                System.out.flush();
                System.err.flush();
                Runtime.getRuntime().halt(1);
            }
        }, "spindle-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            exiting.set(true);
            try {
                input.close();
            } catch (IOException e) {
                // Exiting anyway.
            }
        }, "spindle-parent-watch-stop"));
    }

    /** Loads and links what running a task needs, so that a standby child starts one at full speed. */
    private static void warmUp(Path runDirectory) throws IOException {
        JavaSerializer serializer = JavaSerializer.defaults();
        int base = 40;
        SerializableCallable<Integer> probe = () -> base + 2;
        try {
            Object back = serializer.decode(serializer.encode(probe));
            ((SerializableCallable<?>) back).call();
            Outcome.returned(serializer.encode(List.of(1, "two", 3.0))).encode();
            Outcome.threw(new IllegalStateException("warm-up")).encode();
            // An order shaped like a real one (lists of names, a task inside): an empty one left
            // the first real order's decoding 4 ms of loading to do.
            TaskOrder.decode(new TaskOrder("warm-up", false, false, true, List.copyOf(List.of("a.B", "c.D")),
                    List.copyOf(List.of("e")), SerializationLimits.DEFAULT, RemoteHubKeys.known(),
                    serializer.encode(probe)).encode());
            // What main does between the order and the task: 2 ms of class initialization otherwise.
            RemoteHubKeys.known().adopt();
            new ProcessInfo("warm-up", 1, 1, false).toString();
            Class.forName(Run.class.getName(), true, ChildMain.class.getClassLoader());
            // A call, a message and a close over a connection to itself: the link's exit took 4 ms cold.
            try {
                Rehearsal.run(runDirectory);
            } catch (IOException e) {
                // Only a rehearsal; the run's directory is gone when the parent is exiting, and then
                // this standby finds out, quietly, when it dials.
            }
        } catch (Exception e) {
            throw new IOException("a standby JVM could not warm up", e);
        }
    }

    private static PrintStream prefixed(FileDescriptor fd, byte[] prefix) {
        OutputStream target = new FileOutputStream(fd);
        return new PrintStream(new LinePrefixingOutputStream(target, prefix), true, StandardCharsets.UTF_8);
    }
}
