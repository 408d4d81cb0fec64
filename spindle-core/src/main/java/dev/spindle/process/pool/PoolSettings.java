package dev.spindle.process.pool;

import dev.spindle.process.JavaSerializer;
import dev.spindle.process.StartMethod;

import java.time.Duration;

/**
 * A pool's settings, fixed when it is built ({@link ProcessPool.Builder}).
 *
 * @param initializer what each worker runs before its first task, or null
 * @param taskTimeoutNanos the default task timeout, 0 for none
 * @param startMethod how workers start, null for {@link dev.spindle.process.Process}'s default
 * @param startTimeout how long a worker may take to start and run the initializer
 */
record PoolSettings(String name, int workers, WorkerLoop.Initializer initializer, int maxTasksPerChild,
        long taskTimeoutNanos, StartMethod startMethod, JavaSerializer serializer, Duration stopGrace,
        Duration startTimeout) {
}
