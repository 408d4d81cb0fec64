package dev.spindle.ignite;

import java.io.IOException;
import java.util.List;

/**
 * This program's connection to a Spindle cluster: a client member that holds no data and runs no
 * tasks, and through which the program uses the cluster's {@link #pool()}, {@link #executor()}
 * and {@link #manager()}, the same interfaces as the local {@code ProcessPool},
 * {@code ProcessPoolExecutor} and {@code Manager}.
 *
 * <pre>{@code
 * ClusterSettings settings = ClusterSettings.builder(Path.of("cluster"))   // spindle cluster init cluster
 *         .join(List.of("10.0.0.1:47500", "10.0.0.2:47500")).allow("com.example.*").build();
 * try (Cluster cluster = Cluster.connect(settings)) {
 *     Pool pool = cluster.pool();                   // was: ProcessPool.create()
 *     List<Integer> squares = pool.map(x -> x * x, List.of(1, 2, 3));
 * }
 * }</pre>
 *
 * <h2>Lifecycle</h2>
 * Connected from {@link #connect} until {@link #close()}, which cancels this program's tasks
 * still running, destroys the unnamed objects of its manager, and leaves.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>The JVM needs {@link IgniteJvm#flags()}: {@link #connect} throws
 *   {@link MissingJvmFlagsException} naming the missing ones.</li>
 *   <li>The settings' identity ({@code client} by default) names the certificate this program
 *   presents: {@code DIR/client.p12}.</li>
 * </ul>
 */
public final class Cluster implements AutoCloseable {

    private final Member member;
    private final ClusterSettings settings;
    private final ClusterPool pool;
    private final ClusterManager manager;

    private Cluster(Member member, ClusterSettings settings) {
        this.member = member;
        this.settings = settings;
        this.pool = new ClusterPool(member.ignite(), settings);
        this.manager = new ClusterManager(member.ignite());
    }

    /**
     * Joins the cluster as a client.
     *
     * @throws MissingJvmFlagsException when this JVM lacks the flags Ignite needs
     * @throws ClusterJoinException     when no node answered in time, or the cluster refused the certificate
     */
    public static Cluster connect(ClusterSettings settings) throws IOException {
        return new Cluster(Member.start(settings, false), settings);
    }

    /** The cluster's pool: tasks on its server nodes. */
    public ClusterPool pool() {
        return pool;
    }

    /** The cluster as an {@code ExecutorService}; a new view of {@link #pool()} each call. */
    public ClusterExecutor executor() {
        return new ClusterExecutor(pool);
    }

    /** Maps, queues and locks held by the cluster. */
    public ClusterManager manager() {
        return manager;
    }

    /** The members of the cluster now, servers first. */
    public List<ClusterMember> members() {
        return member.members();
    }

    public ClusterSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        try {
            pool.terminate();
            manager.close();
        } finally {
            member.close();
        }
    }
}
