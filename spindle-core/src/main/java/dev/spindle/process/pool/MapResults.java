package dev.spindle.process.pool;

import java.util.Arrays;
import java.util.List;

/**
 * Collects a {@code map}'s chunks into one list, in item order: its future completes when the last
 * chunk arrives, or fails with the first failure to arrive (as Python's {@code map_async}).
 */
final class MapResults<R> implements TaskSink {

    final TaskFuture<List<R>> future;
    private final Object[] values;
    private final int[] offsets;
    private final java.util.concurrent.atomic.AtomicInteger left;

    /** Results for {@code size} items in chunks of {@code chunkSize}. */
    MapResults(TaskFuture<List<R>> future, int size, int chunkSize) {
        this.future = future;
        this.values = new Object[size];
        int chunks = (size + chunkSize - 1) / chunkSize;
        this.offsets = new int[chunks];
        for (int i = 0; i < chunks; i++) {
            offsets[i] = i * chunkSize;
        }
        this.left = new java.util.concurrent.atomic.AtomicInteger(chunks);
        if (chunks == 0) {
            future.complete(List.of());
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void succeeded(PoolTask task, List<Object> chunk) {
        // Chunks fill their own slots; the count's decrement publishes them to whoever completes the list.
        for (int i = 0; i < chunk.size(); i++) {
            values[offsets[task.index] + i] = chunk.get(i);
        }
        if (left.decrementAndGet() == 0) {
            future.complete((List<R>) Arrays.asList(values));
        }
    }

    @Override
    public void failed(PoolTask task, Throwable cause) {
        future.completeExceptionally(cause);
    }
}
