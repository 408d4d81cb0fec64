package dev.spindle.process.pool;

import dev.spindle.process.JavaSerializer;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A pool's recently used functions, by identity: a loop of {@code applyAsync(f, x)} with one
 * {@code f} (a method reference, a lambda that captures nothing) encodes it once, and each worker
 * is sent it once. Only lambdas and method references are kept, as nothing can change them; a
 * lambda that captures is a new object each time, and an object of a class of the user's is
 * encoded on each call.
 *
 * <p>Thread-safe; encoding happens outside its lock.
 */
final class JobCache {

    private static final int SIZE = 64;

    private final JavaSerializer serializer;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Job> recent = new ArrayDeque<>();
    private final AtomicLong ids = new AtomicLong();

    JobCache(JavaSerializer serializer) {
        this.serializer = serializer;
    }

    /**
     * The job for {@code function}: the one made for the same object lately, else a new one.
     *
     * @throws java.io.NotSerializableException when the function, or what it captures, cannot be serialized
     */
    Job job(Object function) throws IOException {
        Class<?> type = function.getClass();
        if (!type.isSynthetic() && !type.isHidden()) {
            // An object of a class of the user's may change between calls: encoded afresh each time.
            return Job.of(ids.incrementAndGet(), function, serializer);
        }
        lock.lock();
        try {
            for (Job job : recent) {
                if (job.function == function) {
                    return job;
                }
            }
        } finally {
            lock.unlock();
        }
        Job job = Job.of(ids.incrementAndGet(), function, serializer);
        lock.lock();
        try {
            recent.addFirst(job);
            if (recent.size() > SIZE) {
                recent.removeLast();
            }
        } finally {
            lock.unlock();
        }
        return job;
    }
}
