/**
 * Spindle's library: concurrent socket servers, connections and clients under any concurrency
 * model ({@link dev.spindle.net}), framing that solves TCP's "sticky packet" problem
 * ({@link dev.spindle.codec}), Python-style processes and pipes in child JVMs
 * ({@link dev.spindle.process}), queues and locks between them ({@link dev.spindle.process.queue},
 * {@link dev.spindle.process.sync}), shared memory ({@link dev.spindle.process.shm}), and managers
 * that hold shared maps, lists and more for every process ({@link dev.spindle.process.manager}), and
 * the threading tools the JDK lacks ({@link dev.spindle.sync}). It depends on the JDK alone.
 *
 * <p>These packages are the API. {@code dev.spindle.internal} and the process layer's wire,
 * {@code dev.spindle.process.wire}, are not exported: nothing there is stable.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>A {@link dev.spindle.process.Process} starts its child JVM on the parent's class path
 *       ({@code java.class.path}) and runs the task there. An application that puts Spindle and
 *       its own classes on the module path has neither on that class path; run such an
 *       application on the class path to use processes and pipes. The {@code net} and
 *       {@code codec} packages work the same either way.</li>
 * </ul>
 */
module dev.spindle.core {
    // sun.misc.Signal: a child JVM reports the signal that ended it, as Python's exitcode -N.
    requires jdk.unsupported;
    // TCP keep-alive timing for remote managers' connections (ExtendedSocketOptions).
    requires jdk.net;
    // Unix-domain datagrams, which the JDK lacks, from an optional module (spindle-unixgram).
    uses dev.spindle.net.UnixDatagramProvider;

    exports dev.spindle.codec;
    exports dev.spindle.net;
    exports dev.spindle.process;
    exports dev.spindle.process.manager;
    exports dev.spindle.process.pool;
    exports dev.spindle.process.queue;
    exports dev.spindle.process.shm;
    exports dev.spindle.process.sync;
    exports dev.spindle.sync;
}
