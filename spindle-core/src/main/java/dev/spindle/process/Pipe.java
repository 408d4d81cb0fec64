package dev.spindle.process;

import java.util.Objects;

/**
 * A pair of connected {@link PipeConnection} ends: Python's {@code multiprocessing.Pipe}.
 *
 * <pre>{@code
 * Pipe pipe = Pipe.open();
 * PipeConnection parentEnd = pipe.left(), childEnd = pipe.right();
 * Process<Void> child = Process.target(() -> {
 *     childEnd.send("hello from " + Process.current().name());
 * }).start();
 * System.out.println(parentEnd.recv());   // hello from Process-1
 * }</pre>
 *
 * <p>The process that opens a pipe holds it, as the kernel holds a Python pipe: messages wait
 * there until they are received. Either end may be used in that process, or passed to a child
 * (captured by its task) and used there; an end used elsewhere reaches the holder over
 * Unix-domain links that prove the run's key ({@link Handshake}) before a byte of data is read. Any
 * number of processes may use the same end, as with Python's.
 *
 * <h2>When a message is safe</h2>
 * A message is safe once {@code send} returns: it is then in the holder, or in the kernel's socket
 * buffer on its way there, and it is delivered to a receiver of the other end whatever its sender
 * does next: close or not, exit at once, or be killed with SIGKILL. However late a receiver comes,
 * the message waits for it. A message is lost only when the holder itself dies. A holder that exits
 * normally first stays for as long as another process (other than a daemon child) uses one of its
 * pipes, or a message waits for a child that was handed the end and has not used it yet, as
 * Python's parent joins its children at exit; a holder that a signal ends does not wait.
 *
 * <h2>End-of-file</h2>
 * An end's users are the end objects that have been used and not closed, in any process, and
 * the children started with the end captured in their task, until they exit or close their copy
 * (as a Python child holds an inherited descriptor). Once an end has had users and has none left,
 * the other end reads {@link java.io.EOFException} after the messages already waiting, and a send
 * to it fails (Python's {@code BrokenPipeError}). An end the holder never used is not a user: the
 * copy a parent keeps of the end it hands its child never holds the pipe open. An end that nobody
 * ever used counts as closed once the holder's objects for it are closed or collected.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>The pipe lives in the process that opened it. If that process is killed, the pipe is gone:
 *       a receive elsewhere then reads end-of-file, a send fails. Open a pipe in the process that
 *       outlives its users, usually the parent.</li>
 *   <li>At exit, the holder waits while a non-daemon process still uses its pipes. A child that
 *       keeps its end open and never ends keeps its parent from exiting; close the end, or end the
 *       child (SIGKILL on the parent ends it at once, and the pipe with it).</li>
 *   <li>A child that captured an end it does not use keeps it open until it exits, as in Python:
 *       if it waits for end-of-file on the other end, it must close its copy first, as the seeds'
 *       consumer does.</li>
 *   <li>A receiver that is the only user of its end takes up to 256 messages (256 KiB) ahead of its
 *       caller, one hand-off for many. A process that starts to use that end later (an end passed
 *       on other than in a child's task) gets messages after those; to share out work among
 *       several processes, start them all with the end, so that each takes one message at a
 *       time, or give each its own pipe.</li>
 *   <li>Every message passes through the holder: between two children it crosses two sockets, and
 *       in the holder it is handed from the thread that reads it to the one that receives it.
 *       Where throughput matters, open the pipe in the process that receives the most.</li>
 * </ul>
 */
public final class Pipe {

    private final PipeConnection left;
    private final PipeConnection right;

    private Pipe(PipeConnection left, PipeConnection right) {
        this.left = left;
        this.right = right;
    }

    /** A duplex pipe with the default serializer. */
    public static Pipe open() {
        return open(true);
    }

    /**
     * A pipe with the default serializer ({@link JavaSerializer#defaults()}).
     *
     * @param duplex true for ends that both send and receive; false for a one-way pipe whose left
     *               end only receives and right end only sends, as Python's
     */
    public static Pipe open(boolean duplex) {
        return open(duplex, JavaSerializer.defaults());
    }

    /**
     * A pipe whose objects cross through {@code serializer}. The serializer must be serializable for the
     * ends to be passed to children ({@link JavaSerializer} is).
     */
    public static Pipe open(boolean duplex, Serializer serializer) {
        Objects.requireNonNull(serializer, "serializer");
        PipeRelay relay = PipeRelay.open();
        return new Pipe(PipeConnection.local(relay, PipeRelay.LEFT, true, duplex, serializer),
                PipeConnection.local(relay, PipeRelay.RIGHT, duplex, true, serializer));
    }

    /** The left end: Python's first connection; in a one-way pipe, the receiving end. */
    public PipeConnection left() {
        return left;
    }

    /** The right end: Python's second connection; in a one-way pipe, the sending end. */
    public PipeConnection right() {
        return right;
    }
}
