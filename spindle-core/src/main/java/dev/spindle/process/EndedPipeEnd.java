package dev.spindle.process;

import dev.spindle.internal.Deadline;

import java.io.EOFException;
import java.io.IOException;

/**
 * An end of a pipe whose every user has closed both ends, so that its holder forgot it: nothing
 * can be sent, and a receive reads end-of-file, as on a Python pipe whose descriptors are all
 * closed elsewhere.
 */
final class EndedPipeEnd implements PipeEnd {

    private final String why;

    EndedPipeEnd(String why) {
        this.why = why;
    }

    @Override
    public void send(byte[] bytes, int offset, int length, Deadline deadline) throws IOException {
        throw new IOException("the other end of the pipe was closed by every process that used it (" + why
                + "); nothing can receive this message (Python's BrokenPipeError)");
    }

    @Override
    public byte[] receive(int maxLength, Deadline deadline) throws IOException {
        throw new EOFException("the other end of the pipe was closed and every message has been received (" + why + ")");
    }

    @Override
    public boolean poll(Deadline deadline) {
        return true;
    }

    @Override
    public long reserve() {
        return 0;
    }

    @Override
    public void bind(long number, long pid) {
    }

    @Override
    public void release(long number) {
    }

    @Override
    public void close(long reservation) {
    }
}
