package dev.spindle.ignite;

import org.apache.ignite.IgniteInterruptedException;
import org.apache.ignite.IgniteQueue;

import java.io.Serial;
import java.io.Serializable;
import java.util.AbstractQueue;
import java.util.Collection;
import java.util.Iterator;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link BlockingQueue} held by the cluster: an {@link IgniteQueue} (one backup) reached by its
 * name, so that a copy in a task, on any member, is the same queue. Interrupts come back as
 * {@link InterruptedException}, as {@code BlockingQueue} says, not as Ignite's unchecked one.
 */
final class ClusterQueue<E> extends AbstractQueue<E> implements BlockingQueue<E>, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final String name;
    private transient volatile IgniteQueue<E> queue;

    ClusterQueue(IgniteQueue<E> queue) {
        this.name = queue.name();
        this.queue = queue;
    }

    IgniteQueue<E> queue() {
        IgniteQueue<E> q = queue;
        if (q == null) {
            q = Member.lookUp("queue", name, ignite -> ignite.<E>queue(name, 0, null));
            queue = q;
        }
        return q;
    }

    @Override
    public boolean offer(E e) {
        return queue().offer(e);
    }

    @Override
    public E poll() {
        return queue().poll();
    }

    @Override
    public E peek() {
        return queue().peek();
    }

    @Override
    public int size() {
        return queue().size();
    }

    @Override
    public Iterator<E> iterator() {
        return queue().iterator();
    }

    @Override
    public void put(E e) throws InterruptedException {
        try {
            queue().put(e);
        } catch (IgniteInterruptedException ex) {
            throw interrupted(ex);
        }
    }

    @Override
    public boolean offer(E e, long timeout, TimeUnit unit) throws InterruptedException {
        try {
            return queue().offer(e, timeout, unit);
        } catch (IgniteInterruptedException ex) {
            throw interrupted(ex);
        }
    }

    @Override
    public E take() throws InterruptedException {
        try {
            return queue().take();
        } catch (IgniteInterruptedException ex) {
            throw interrupted(ex);
        }
    }

    @Override
    public E poll(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            return queue().poll(timeout, unit);
        } catch (IgniteInterruptedException ex) {
            throw interrupted(ex);
        }
    }

    @Override
    public int remainingCapacity() {
        return queue().remainingCapacity();
    }

    @Override
    public int drainTo(Collection<? super E> c) {
        return queue().drainTo(c);
    }

    @Override
    public int drainTo(Collection<? super E> c, int maxElements) {
        return queue().drainTo(c, maxElements);
    }

    static InterruptedException interrupted(IgniteInterruptedException e) {
        InterruptedException i = new InterruptedException(e.getMessage());
        i.initCause(e);
        return i;
    }
}
