package dev.spindle.process.manager;

import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/** A {@link ManagedValue}'s value, in the manager. */
final class HeldValue<T> implements ManagedValue<T> {

    private final ReentrantLock lock = new ReentrantLock();
    private T value;

    HeldValue(T value) {
        this.value = value;
    }

    @Override
    public T get() {
        lock.lock();
        try {
            return value;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void set(T value) {
        getAndSet(value);
    }

    @Override
    public T getAndSet(T value) {
        lock.lock();
        try {
            T before = this.value;
            this.value = value;
            return before;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean compareAndSet(T expected, T update) {
        lock.lock();
        try {
            if (!Objects.equals(value, expected)) {
                return false;
            }
            value = update;
            return true;
        } finally {
            lock.unlock();
        }
    }
}
