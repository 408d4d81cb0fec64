package dev.spindle.process.manager;

import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.Lock;

/**
 * Objects that every process of a program reaches, and that tasks may capture: what a
 * {@link Manager} gives, and what a cluster's manager (module {@code spindle-ignite}) gives on the
 * nodes of a cluster. A program written against this interface moves from one to the other by
 * changing how it is made, not how it is used.
 *
 * <p>Each object is the same object wherever a copy of it is used: a map a task changes on
 * another process or node is the map this process reads.
 *
 * <p>Thread-safe.
 */
public interface SharedObjects extends AutoCloseable {

    /** A new, empty shared map: Python's {@code Manager().dict()}. */
    <K, V> ConcurrentMap<K, V> dict();

    /** A new, unbounded shared queue: Python's {@code Manager().Queue()}. */
    <E> BlockingQueue<E> queue();

    /** A new shared queue that holds at most {@code capacity} items. */
    <E> BlockingQueue<E> queue(int capacity);

    /** A new shared lock: Python's {@code Manager().Lock()}. Only the thread that holds it may unlock it. */
    Lock lock();

    /** Lets go of the objects: what that means (they end, or they go on for others) is the implementation's to say. */
    @Override
    void close() throws IOException;
}
