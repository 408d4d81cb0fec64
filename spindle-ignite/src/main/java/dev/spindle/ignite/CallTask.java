package dev.spindle.ignite;

import org.apache.ignite.IgniteException;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.cluster.ClusterTopologyException;
import org.apache.ignite.compute.ComputeJob;
import org.apache.ignite.compute.ComputeJobResult;
import org.apache.ignite.compute.ComputeJobResultPolicy;
import org.apache.ignite.compute.ComputeTaskSplitAdapter;

import java.util.Collection;
import java.util.List;

/**
 * The Ignite task around one {@link CallJob}: Ignite's load balancer picks its node, and when that
 * node leaves, {@link Failover} decides between running the job again elsewhere and failing with
 * the node named. Runs on the member that submitted it.
 */
final class CallTask extends ComputeTaskSplitAdapter<CallJob, byte[]> {

    private static final long serialVersionUID = 1L;

    private final Failover failover;

    CallTask(Failover failover) {
        this.failover = failover;
    }

    @Override
    protected Collection<? extends ComputeJob> split(int gridSize, CallJob job) {
        return List.of(job);
    }

    @Override
    public ComputeJobResultPolicy result(ComputeJobResult result, List<ComputeJobResult> received) {
        IgniteException failure = result.getException();
        if (failure instanceof ClusterTopologyException) {
            if (failover == Failover.RERUN) {
                return ComputeJobResultPolicy.FAILOVER;
            }
            throw new IgniteException(new NodeLeftException(describe(result.getNode()), failure));
        }
        if (failure != null) {
            throw failure;
        }
        return ComputeJobResultPolicy.WAIT;
    }

    @Override
    public byte[] reduce(List<ComputeJobResult> results) {
        return results.getFirst().getData();
    }

    static String describe(ClusterNode node) {
        if (node == null) {
            return "a node";
        }
        Object identity = node.attribute(Member.IDENTITY);
        Object address = node.attribute(Member.ADDRESS);
        return identity == null ? "node " + node.id() : identity + " (" + address + ")";
    }
}
