package dev.spindle.process;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * An end used in the process that holds its pipe: sends and receives go straight to the
 * {@link PipeRelay}. The end becomes a user of its side on first use and stops being one on close.
 */
final class LocalPipeEnd implements PipeEnd {

    private final PipeRelay relay;
    private final int side;
    private final BooleanSupplier closed;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean attached;
    private boolean released;

    LocalPipeEnd(PipeRelay relay, int side, BooleanSupplier closed) {
        this.relay = relay;
        this.side = side;
        this.closed = closed;
    }

    @Override
    public void send(byte[] bytes, int offset, int length) throws IOException {
        attach();
        relay.put(1 - side, Arrays.copyOfRange(bytes, offset, offset + length), Deadline.NONE, closed);
    }

    @Override
    public byte[] receive(int maxLength, Deadline deadline) throws IOException {
        attach();
        return relay.take(side, maxLength, deadline, closed);
    }

    @Override
    public boolean poll(Deadline deadline) throws IOException {
        attach();
        return relay.poll(side, deadline, closed);
    }

    @Override
    public long reserve() {
        return relay.reserve(side);
    }

    @Override
    public void bind(long number, long pid) {
        relay.bind(number, pid);
    }

    @Override
    public void release(long number) {
        relay.release(number);
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (released) {
                return;
            }
            released = true;
            if (attached) {
                relay.detach(side, true);
            }
        } finally {
            lock.unlock();
        }
        relay.wakeAll();
    }

    private void attach() throws IOException {
        lock.lock();
        try {
            if (released) {
                throw new IOException("this pipe end is closed");
            }
            if (!attached) {
                attached = true;
                relay.attach(side, true);
            }
        } finally {
            lock.unlock();
        }
    }
}
