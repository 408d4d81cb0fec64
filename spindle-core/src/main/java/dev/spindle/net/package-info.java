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
 * {@link dev.spindle.net.WhenFull} is what a full server does with the next connection, and
 * {@link dev.spindle.net.Tls} secures a server or client under every model.
 *
 * <p>{@link dev.spindle.net.Model#processes(int, dev.spindle.net.Model)} serves in worker JVMs on one
 * port (socketserver's {@code ForkingMixIn}). {@link dev.spindle.net.DatagramServer} and
 * {@link dev.spindle.net.DatagramClient} are the datagram side (UDP, and Unix-domain datagrams
 * through a {@link dev.spindle.net.UnixDatagramProvider} such as the {@code spindle-unixgram} module).
 *
 * <h2>Inside</h2>
 * A {@code StreamServer} is its lifecycle; the model makes an {@code Acceptor} for its channel kind
 * (a selector over a server socket, an asynchronous channel group, or the process model's workers)
 * with a runner for what it accepts; a {@code ConnectionRegistry} admits, counts and drains every
 * connection. Blocking connections read through a {@code StreamChannel} (the socket, or TLS over
 * it); non-blocking transports share one {@code OutboundBuffer}, and TLS is a protocol between a
 * transport and the user's ({@code TlsProtocol}).
 *
 * <p>Every blocking call that takes a timeout follows one rule: zero or negative means do not wait
 * (as {@link java.util.concurrent.Semaphore#tryAcquire(long, java.util.concurrent.TimeUnit)
 * Semaphore.tryAcquire}), never wait forever. A setting, not a wait (a builder's idle, connect,
 * read or write timeout, a connection's read or write timeout, a shutdown grace), takes zero to
 * mean none and refuses a negative value. The blocking calls on a {@link dev.spindle.net.Connection}
 * are bounded by its read and write timeouts.
 */
package dev.spindle.net;
