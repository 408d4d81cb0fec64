package dev.spindle.ignite;

import java.io.IOException;
import java.util.List;

/**
 * A server node of a Spindle cluster in this JVM: it runs the cluster's tasks and holds a share of
 * its maps, queues and locks. {@code spindle cluster node} runs one.
 *
 * <h2>Lifecycle</h2>
 * {@link #start} returns once the node has joined (or formed) the cluster; {@link #close()} leaves
 * it, cancelling the tasks running here (their threads are interrupted; with
 * {@link Failover#RERUN} their callers get them run elsewhere), and deletes the node's work
 * directory. Data held here survives on the other nodes (one backup of everything).
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>The JVM needs {@link IgniteJvm#flags()}; without them {@link #start} throws
 *   {@link MissingJvmFlagsException} naming them.</li>
 *   <li>Tasks' classes must be on the node's class path: code is never loaded from another
 *   member ({@code java $(spindle cluster flags) -cp spindle.jar:my-app.jar ...}, as
 *   {@code docs/cluster.md} shows).</li>
 *   <li>Ignite's threads are not daemons: a program that starts a node must close it to end.</li>
 * </ul>
 */
public final class ClusterNode implements AutoCloseable {

    private final Member member;

    private ClusterNode(Member member) {
        this.member = member;
    }

    /**
     * Starts a server node named {@code settings.identity()}, listening on {@code settings.address()}.
     *
     * @throws ClusterJoinException when it cannot listen there, or the cluster refuses it
     */
    public static ClusterNode start(ClusterSettings settings) throws IOException {
        return new ClusterNode(Member.start(settings, true));
    }

    /** The members of the cluster now, servers first. */
    public List<ClusterMember> members() {
        return member.members();
    }

    @Override
    public void close() {
        member.close();
    }
}
