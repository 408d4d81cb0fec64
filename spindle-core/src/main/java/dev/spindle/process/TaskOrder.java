package dev.spindle.process;

import java.io.IOException;
import java.util.List;

/**
 * What a parent gives a child once it has authenticated: who the child is, and its task. The
 * order itself holds only Spindle's and the JDK's types; {@link #task} stays bytes until the
 * child decodes it with an allow-list widened by exactly the names listed here.
 * {@link #remoteHubs} are the keys of TCP hubs (remote managers) the parent knows, so that what the
 * task captured from one reaches it from the child too.
 */
record TaskOrder(String name, boolean daemon, boolean prefixOutput, boolean returnsResult,
        List<String> allowedClasses, List<String> allowedPackages, SerializationLimits limits,
        dev.spindle.process.wire.RemoteHubKeys remoteHubs, byte[] task)
        implements java.io.Serializable {

    /** The task's bytes are as long as the task is; its own limits apply when it is decoded. */
    private static final JavaSerializer ORDERS = JavaSerializer.defaults()
            .limits(new SerializationLimits(16, 10_000, Integer.MAX_VALUE));

    /** The order as the child's link carries it: Java-serialized, so that it is no format of its own. */
    byte[] encode() throws IOException {
        return ORDERS.encode(this);
    }

    /**
     * Decodes an order with the default allow-list (Spindle's classes and the JDK's values): the
     * task inside stays bytes until {@link #serializer} decodes it with the order's own list.
     */
    static TaskOrder decode(byte[] message) throws IOException {
        if (ORDERS.decode(message) instanceof TaskOrder order) {
            return order;
        }
        throw new java.io.StreamCorruptedException("the parent sent something other than a task order");
    }

    /** The serializer the child decodes the task with, and encodes its result with. */
    JavaSerializer serializer() {
        return JavaSerializer.allowing(allowedClasses, allowedPackages, limits);
    }
}
