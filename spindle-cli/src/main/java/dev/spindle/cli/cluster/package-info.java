/**
 * {@code spindle cluster}: a Spindle cluster from the command line. Start at
 * {@link dev.spindle.cli.cluster.ClusterCommand}: {@code init} makes the cluster's certificate
 * authority and its members' certificates, {@code node} runs a server node, {@code status} lists
 * the members. The library is {@code spindle-ignite}.
 */
package dev.spindle.cli.cluster;
