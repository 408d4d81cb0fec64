package dev.spindle.ignite;

import dev.spindle.process.manager.SharedObjects;
import dev.spindle.process.manager.SharedObjectsContract;
import dev.spindle.process.pool.Pool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

/**
 * The local Manager's suite, run against a cluster's manager: three nodes in JVMs of their own,
 * their tasks the other processes.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterManagerContractTest extends SharedObjectsContract {

    private static TestCluster nodes;
    private static Cluster cluster;

    @BeforeAll
    static void startTheNodesAndJoin() throws Exception {
        nodes = TestCluster.start(3, 3);
        cluster = nodes.client();
    }

    @AfterAll
    static void leaveAndStopThem() throws Exception {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Override
    protected SharedObjects objects() {
        return cluster.manager();
    }

    @Override
    protected Pool pool() {
        return cluster.pool();
    }
}
