package dev.spindle.process;

import dev.spindle.internal.Deadline;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * An end used in the process that holds its pipe: sends and receives go straight to the
 * {@link PipeRelay}, receives a batch at a time when this process is the end's only user. The end
 * becomes a user of its side on first use and stops being one on close (or when it is collected
 * unclosed, as Python's connection closes in its finalizer); what it had taken and not yet
 * received then goes back to the queue.
 */
final class LocalPipeEnd implements PipeEnd {

    private final PipeRelay relay;
    private final int side;
    private final BooleanSupplier closed;
    private final ReentrantLock lock = new ReentrantLock();
    /**
     * Messages taken off the queue together and not yet received, oldest first: one hand-off per
     * batch rather than per message. Guarded by {@link #lock}, since a close from another thread
     * puts them back.
     */
    private final ArrayDeque<byte[]> taken = new ArrayDeque<>();
    private boolean attached;
    private boolean released;

    LocalPipeEnd(PipeRelay relay, int side, BooleanSupplier closed) {
        this.relay = relay;
        this.side = side;
        this.closed = closed;
        relay.handleOpened(side);
    }

    @Override
    public void send(byte[] bytes, int offset, int length, Deadline deadline) throws IOException {
        attach();
        relay.put(1 - side, Arrays.copyOfRange(bytes, offset, offset + length), deadline, closed);
    }

    @Override
    public byte[] receive(int maxLength, Deadline deadline) throws IOException {
        attach();
        if (isEmpty()) {
            List<byte[]> batch = relay.takeSome(side, maxLength, PipeLink.BATCH_COUNT, PipeLink.BATCH_BYTES,
                    PipeRelay.SELF, false, deadline, closed);
            lock.lock();
            try {
                if (released) {
                    relay.putBack(side, batch); // closed while the batch was being taken
                    throw new IOException("this pipe end is closed");
                }
                taken.addAll(batch);
            } finally {
                lock.unlock();
            }
        }
        lock.lock();
        try {
            byte[] next = taken.peekFirst();
            if (next == null) {
                throw new IOException("this pipe end is closed");
            }
            if (next.length > maxLength) {
                throw new MessageTooLongException(next.length, maxLength);
            }
            return taken.removeFirst();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean poll(Deadline deadline) throws IOException {
        attach();
        return !isEmpty() || relay.poll(side, deadline, closed);
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
    public void close(long reservation) {
        List<byte[]> untaken;
        boolean wasAttached;
        lock.lock();
        try {
            if (released) {
                return;
            }
            released = true;
            untaken = new ArrayList<>(taken);
            taken.clear();
            wasAttached = attached;
        } finally {
            lock.unlock();
        }
        relay.putBack(side, untaken);
        if (wasAttached) {
            relay.detach(side, PipeRelay.SELF);
        }
        if (reservation != 0) {
            relay.release(reservation);
        }
        relay.handleClosed(side); // wakes this end's waiting calls too, which then see it closed
    }

    private boolean isEmpty() {
        lock.lock();
        try {
            return taken.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    private void attach() throws IOException {
        lock.lock();
        try {
            if (released) {
                throw new IOException("this pipe end is closed");
            }
            if (!attached) {
                attached = true;
                relay.attach(side, PipeRelay.SELF);
            }
        } finally {
            lock.unlock();
        }
    }
}
