package dev.spindle.net;

/**
 * What a server does with a new connection while it holds all it may: its
 * {@link StreamServerBuilder#maxConnections(int) maximum}, or everything a {@link Model#pool(int, int)
 * pool} can run and queue. The overload policies, as {@link java.util.concurrent.RejectedExecutionHandler}
 * names a thread pool's.
 *
 * <table>
 *   <caption>The policies</caption>
 *   <tr><th>policy</th><th>a connection beyond the limit</th><th>the client sees</th></tr>
 *   <tr><td>{@link #WAIT}</td><td>is not accepted until a connection ends: it waits in the kernel's
 *       listen backlog, as nginx and Helidon leave it</td><td>a connection that is answered late;
 *       once the backlog is full too, a connect that takes long or times out</td></tr>
 *   <tr><td>{@link #REFUSE}</td><td>is accepted and closed at once, with end-of-stream, and
 *       counted in {@link ServerStats#refused()}</td><td>end-of-stream before any reply</td></tr>
 * </table>
 *
 * <p>The default is {@link #WAIT}: it is what the seeds' Python servers do (their listen backlog
 * holds who the server cannot yet serve), so the seeds' clients, which send and wait for a reply,
 * are all answered. Choose {@link #REFUSE} to fail fast and let clients retry elsewhere.
 *
 * <h2>Pitfalls</h2>
 * Under {@link #WAIT} the backlog ({@link StreamServerBuilder#backlog(int)}, capped by the
 * kernel's {@code net.core.somaxconn}) is the queue: a client beyond it retries its SYN for
 * seconds. The verify hook still refuses whom it rejects under either policy: that is not
 * overload. Under {@link Model#SYNC} neither applies: the one connection is served on the
 * accepting thread, so the next always waits in the backlog.
 */
public enum WhenFull {
    /** Stop accepting while full; new connections wait in the listen backlog. The default. */
    WAIT,
    /** Accept, then close at once and count as refused. */
    REFUSE
}
