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
 * <p>Every blocking call that takes a timeout follows one rule: zero or negative means do not wait
 * (as {@link java.util.concurrent.Semaphore#tryAcquire(long, java.util.concurrent.TimeUnit)
 * Semaphore.tryAcquire}), never wait forever. A setting, not a wait (a builder's idle, connect,
 * read or write timeout, a connection's read or write timeout, a shutdown grace), takes zero to
 * mean none and refuses a negative value. The blocking calls on a {@link dev.spindle.net.Connection}
 * are bounded by its read and write timeouts.
 */
package dev.spindle.net;
