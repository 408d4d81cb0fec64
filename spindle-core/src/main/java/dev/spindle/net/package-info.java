/**
 * Socket servers, connections and clients, under every concurrency model: Python's
 * {@code socket} and {@code socketserver}, with the hygiene they lack.
 *
 * <p>Start with {@link dev.spindle.net.StreamServer}: a builder, a {@link dev.spindle.net.Model}
 * (one connection at a time, a thread each, a pool, a virtual thread each, selector loops,
 * completion handlers), and either a blocking {@link dev.spindle.net.ConnectionHandler} over a
 * {@link dev.spindle.net.Connection} or an event-driven {@link dev.spindle.net.Protocol} over a
 * {@link dev.spindle.net.Transport}, which runs under every model. {@link dev.spindle.net.Client}
 * opens connections to servers. {@link dev.spindle.net.ServerStats} says what a server has done.
 *
 * <p>Every blocking call with a timeout follows one rule: zero or negative means do not wait.
 * Configuration settings (an idle timeout, a connect timeout) take zero to mean none.
 */
package dev.spindle.net;
