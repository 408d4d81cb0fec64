/**
 * The process layer's one wire, internal (the module does not export it): how every process of a
 * run reaches the others. Start with {@link dev.spindle.process.wire.Peer}, one authenticated,
 * multiplexed connection between two processes, and {@link dev.spindle.process.wire.Envelope},
 * the one request/reply format on it (call, one-way, return, error, cancel), Python's
 * {@code managers.dispatch} shape.
 *
 * <ul>
 *   <li>{@link dev.spindle.process.wire.Hub} listens (one Unix-domain socket per process, in the
 *   run's private directory) and {@link dev.spindle.process.wire.Dialer} connects; both run the
 *   HMAC handshake, then a {@link dev.spindle.process.wire.Hello} says what the connection is for.</li>
 *   <li>{@link dev.spindle.process.wire.ServedObject}s (a queue, a lock, a child's task link) are
 *   served by id ({@link dev.spindle.process.wire.ServedObjects}) and reached through an
 *   {@link dev.spindle.process.wire.ObjectHandle}: a direct call in the process that serves the
 *   object, a call over the one {@link dev.spindle.process.wire.Peer} to it
 *   ({@link dev.spindle.process.wire.Peers}) from any other.</li>
 *   <li>{@link dev.spindle.process.wire.Run} is the run (key, directory, identity);
 *   {@link dev.spindle.process.wire.ExitSequence} orders what the layer does at exit.</li>
 *   <li>{@link dev.spindle.process.wire.Rehearsal} runs a call and a close over a connection to
 *   itself, so that a standby child has run that code before its task's time counts.</li>
 * </ul>
 */
package dev.spindle.process.wire;
