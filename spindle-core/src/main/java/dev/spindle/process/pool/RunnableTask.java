package dev.spindle.process.pool;

import dev.spindle.process.SerializableCallable;

/** A serializable {@link Runnable} given to the executor, as the callable a worker runs. */
record RunnableTask(Runnable runnable) implements SerializableCallable<Object> {

    @Override
    public Object call() {
        runnable.run();
        return null;
    }
}
