package dev.spindle.ignite;

/**
 * A task's node left the cluster while the task ran, and the pool was told not to run it again
 * ({@link Failover#FAIL_FAST}). Whether the task did any of its work there is unknown.
 */
public final class NodeLeftException extends RuntimeException {

    private final String node;

    NodeLeftException(String node, Throwable cause) {
        super("the node running the task, " + node + ", left the cluster before the task finished; it was not run "
                + "again (Failover.FAIL_FAST): whether it did part of its work there is unknown", cause);
        this.node = node;
    }

    /** The node that left: its Spindle identity and address, or Ignite's id for it. */
    public String node() {
        return node;
    }
}
