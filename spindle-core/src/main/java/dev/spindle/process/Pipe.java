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
 *     childEnd.close();
 * }).start();
 * System.out.println(parentEnd.recv());   // hello from Process-1
 * }</pre>
 *
 * <p>The two ends are a direct Unix-domain socket between the processes that use them, made when
 * each end is first used: the {@linkplain #left() left} end listens on a path in the run's
 * private directory and the right end connects to it, so either end may be created, passed to a
 * child (captured by its task), or used in the process that opened the pipe. Both sides
 * authenticate with the run's key before a single byte of data is read.
 *
 * <h2>Pitfalls</h2>
 * <ul>
 *   <li>Each end is used in one process. An end captured by a child's task after it was used is
 *   an inert copy that can only be closed.</li>
 *   <li>Closing an end that was never used does nothing to the other end, so (unlike Python) a
 *   process that closes the copies it does not need never takes end-of-file from its peer; the
 *   other end sees end-of-file when the end's user closes it or dies.</li>
 *   <li>An end waits for its peer's first use: a {@code recv} with no deadline on an end whose
 *   peer is never used waits forever, as Python's does on a pipe nobody writes. Use
 *   {@link PipeConnection#poll(java.time.Duration)} or {@link PipeConnection#recv(java.time.Duration)}
 *   to bound it.</li>
 * </ul>
 */
public final class Pipe {

    private final PipeConnection left;
    private final PipeConnection right;

    private Pipe(PipeConnection left, PipeConnection right) {
        this.left = left;
        this.right = right;
    }

    /** A duplex pipe with the default codec. */
    public static Pipe open() {
        return open(true);
    }

    /**
     * A pipe with the default codec ({@link JavaSerializationCodec#defaults()}).
     *
     * @param duplex true for ends that both send and receive; false for a one-way pipe whose left
     *               end only receives and right end only sends, as Python's
     */
    public static Pipe open(boolean duplex) {
        return open(duplex, JavaSerializationCodec.defaults());
    }

    /**
     * A pipe whose objects cross through {@code codec}. The codec must be serializable for the
     * ends to be passed to children ({@link JavaSerializationCodec} is).
     */
    public static Pipe open(boolean duplex, Codec codec) {
        Objects.requireNonNull(codec, "codec");
        PipeRelay relay = PipeRelay.open();
        return new Pipe(PipeConnection.local(relay, PipeRelay.LEFT, true, duplex, codec),
                PipeConnection.local(relay, PipeRelay.RIGHT, duplex, true, codec));
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
