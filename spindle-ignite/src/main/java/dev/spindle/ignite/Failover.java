package dev.spindle.ignite;

/** What a cluster pool does with a task whose node leaves (crashes, is killed, is cut off) while it runs. */
public enum Failover {
    /**
     * The task fails with a {@link NodeLeftException} that names the node. Nothing runs twice.
     * The default.
     */
    FAIL_FAST,
    /**
     * The task runs again, from its start, on another node (up to five times). Only for tasks that
     * are idempotent: the first run may have done part or all of its work before its node left.
     */
    RERUN
}
