package dev.spindle.process;

import dev.spindle.internal.Deadline;

import java.io.IOException;

/**
 * How a {@link PipeConnection} reaches its pipe: directly in the process that opened the pipe
 * ({@link LocalPipeEnd}), over links to that process from any other ({@link RemotePipeEnd}), or
 * not at all once every user of both ends has closed them ({@link EndedPipeEnd}).
 *
 * <p>Callers serialize sends among themselves and receives among themselves (a send and a
 * receive may run at once) and check the end's direction and closed state first.
 */
interface PipeEnd {

    /**
     * Sends one message whole; returns once it is safe (see {@link Pipe} for when that is).
     * Waits for room to begin it until the deadline; a message begun is finished.
     *
     * @throws java.net.SocketTimeoutException when the deadline passes first; nothing was sent
     */
    void send(byte[] bytes, int offset, int length, Deadline deadline) throws IOException;

    /**
     * Takes the next message, waiting until the deadline.
     *
     * @throws java.io.EOFException when the other end is finished and nothing is left
     * @throws MessageTooLongException when the next message is longer than {@code maxLength}; it stays
     * @throws java.net.SocketTimeoutException when the deadline passes first
     */
    byte[] receive(int maxLength, Deadline deadline) throws IOException;

    /** Whether a message, or end-of-file, is waiting, waiting until the deadline. Consumes nothing. */
    boolean poll(Deadline deadline) throws IOException;

    /**
     * Holds the end open for a process about to be handed a copy of it (see {@link PipeRelay}).
     *
     * @return the reservation's number, or 0 when the pipe is gone and there is nothing to hold
     */
    long reserve() throws IOException;

    /** Ties reservation {@code number} to the life of process {@code pid}. */
    void bind(long number, long pid) throws IOException;

    /** Ends reservation {@code number}; idempotent. */
    void release(long number) throws IOException;

    /**
     * Lets go of the end: wakes this process's calls waiting on it first, then ends
     * {@code reservation} (0 for none), the one this copy was handed with. Idempotent; also run
     * when the end's connection is collected unclosed.
     */
    void close(long reservation);
}
