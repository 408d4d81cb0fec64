/**
 * Spindle's pool, executor and shared objects on an Apache Ignite cluster: the answer to "more
 * than one machine" that Python leaves to remote managers, Ray or Celery.
 *
 * <p>Start at {@link dev.spindle.ignite.Cluster}: {@code Cluster.connect(settings)} joins a
 * cluster of {@link dev.spindle.ignite.ClusterNode}s and gives a
 * {@link dev.spindle.ignite.ClusterPool} (a {@code Pool}), a
 * {@link dev.spindle.ignite.ClusterExecutor} (an {@code ExecutorService}) and a
 * {@link dev.spindle.ignite.ClusterManager} ({@code SharedObjects}). Members prove themselves with
 * certificates from the cluster's own authority ({@link dev.spindle.ignite.ClusterCertificates},
 * {@code spindle cluster init}); {@link dev.spindle.ignite.ClusterSettings} says where the cluster
 * is; {@link dev.spindle.ignite.IgniteJvm} lists the JVM flags every member needs.
 */
package dev.spindle.ignite;
