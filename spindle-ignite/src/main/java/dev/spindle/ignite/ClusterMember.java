package dev.spindle.ignite;

/**
 * One member of a cluster, as {@code spindle cluster status} lists it.
 *
 * @param identity its name, the certificate it joined with
 * @param address  the discovery address it listens on ({@code HOST:PORT}); {@code -} for a client
 * @param server   a node that runs tasks and holds data, or a client
 */
public record ClusterMember(String identity, String address, boolean server) {
}
