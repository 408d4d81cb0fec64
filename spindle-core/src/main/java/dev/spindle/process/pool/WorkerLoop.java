package dev.spindle.process.pool;

import dev.spindle.internal.Deadline;
import dev.spindle.process.ChildException;
import dev.spindle.process.JavaSerializer;
import dev.spindle.process.SerializableBiFunction;
import dev.spindle.process.SerializableFunction;
import dev.spindle.process.SerializableRunnable;
import dev.spindle.process.wire.Caller;
import dev.spindle.process.wire.ObjectHandle;
import dev.spindle.process.wire.Peer;
import dev.spindle.process.wire.ServedObject;
import dev.spindle.process.wire.ServedObjects;
import dev.spindle.process.wire.ValueCodec;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * What a worker JVM runs, as its process's task: the pool's initializer, then tasks from the pool
 * until told to stop ({@link Frames}). Tasks run one at a time on this thread, in the order they
 * arrive; each one's answer is in the kernel on its way to the pool before the next starts, so a
 * worker that dies has lost nothing it finished.
 */
final class WorkerLoop implements SerializableRunnable {

    private static final long serialVersionUID = 1L;

    private final ObjectHandle pool;
    private final long serial;
    private final Initializer initializer;

    /** The pool's initializer, encoded with the serializer that decodes it in the worker. */
    record Initializer(JavaSerializer serializer, byte[] task) implements Serializable {
    }

    WorkerLoop(ObjectHandle pool, long serial, Initializer initializer) {
        this.pool = pool;
        this.serial = serial;
        this.initializer = initializer;
    }

    @Override
    public void run() throws Exception {
        if (initializer != null) {
            ((SerializableRunnable) initializer.serializer().decode(initializer.task())).run();
        }
        Inbox inbox = new Inbox(pool);
        long inboxId = ServedObjects.add(inbox);
        byte[] ready = ByteBuffer.allocate(16).putLong(serial).putLong(inboxId).array();
        pool.oneWay(Frames.READY, ready, 0, ready.length);
        inbox.parent = pool.connected();
        // The link's reader hands each batch to this thread, which then needs the CPU it would poll on.
        inbox.parent.stopPolling();
        Map<Long, Object> functions = new HashMap<>();
        Map<Long, JavaSerializer> serializers = new HashMap<>();
        while (true) {
            ByteBuffer frames = inbox.take();
            while (frames.hasRemaining()) {
                switch (frames.get()) {
                    case Frames.DEFINE -> {
                        long job = frames.getLong();
                        byte[] definition = new byte[frames.getInt()];
                        frames.get(definition);
                        Job.Definition decoded = Job.Definition.read(definition);
                        serializers.put(job, decoded.serializer());
                        functions.put(job, decoded);
                    }
                    case Frames.FORGET -> {
                        long job = frames.getLong();
                        functions.remove(job);
                        serializers.remove(job);
                    }
                    case Frames.TASK -> {
                        long task = frames.getLong();
                        long seq = frames.getLong();
                        long job = frames.getLong();
                        int length = frames.getInt();
                        ByteBuffer arguments = frames.slice(frames.position(), length);
                        frames.position(frames.position() + length);
                        if (inbox.claim(seq)) {
                            run(task, functions, serializers.get(job), job, arguments);
                        }
                    }
                    case Frames.STOP -> {
                        return;
                    }
                    default -> throw new java.io.StreamCorruptedException("the pool sent a frame of unknown kind");
                }
            }
        }
    }

    private void run(long task, Map<Long, Object> functions, JavaSerializer serializer, long job, ByteBuffer arguments) {
        ValueCodec.Out out = new ValueCodec.Out(64);
        boolean fatal = false;
        try {
            out.data().writeLong(task);
            out.data().writeByte(Frames.OK);
            Object function = functions.get(job);
            if (function instanceof Job.Definition definition) {
                function = definition.decodeFunction();
                functions.put(job, function);
            }
            List<Object> results = apply(function, ValueCodec.readAll(arguments, serializer));
            ValueCodec.writeAll(out, results, serializer);
        } catch (Throwable thrown) {
            fatal = thrown instanceof VirtualMachineError && !(thrown instanceof StackOverflowError);
            out = new ValueCodec.Out(512);
            try {
                DataOutputStream data = out.data();
                data.writeLong(task);
                data.writeByte(fatal ? Frames.FATAL : Frames.THREW);
                ChildException.write(thrown, data);
            } catch (IOException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        byte[] answer = out.bytes();
        pool.oneWay(Frames.DONE, answer, 0, answer.length);
        if (fatal) {
            // A JVM past an OutOfMemoryError may be in any state: a fresh worker takes over.
            System.err.flush();
            Runtime.getRuntime().exit(1);
        }
    }

    static List<Object> apply(Object function, List<Object> arguments) throws Exception {
        List<Object> results = new ArrayList<>(Math.max(1, arguments.size()));
        switch (function) {
            case SerializableFunction<?, ?> f -> {
                @SuppressWarnings("unchecked")
                SerializableFunction<Object, Object> fn = (SerializableFunction<Object, Object>) f;
                for (Object argument : arguments) {
                    results.add(fn.apply(argument));
                }
            }
            case SerializableBiFunction<?, ?, ?> f -> {
                @SuppressWarnings("unchecked")
                SerializableBiFunction<Object, Object, Object> fn = (SerializableBiFunction<Object, Object, Object>) f;
                for (int i = 0; i + 1 < arguments.size(); i += 2) {
                    results.add(fn.apply(arguments.get(i), arguments.get(i + 1)));
                }
            }
            case java.util.concurrent.Callable<?> c -> results.add(c.call());
            case null -> throw new IllegalStateException("the pool sent a task of a job it never defined");
            default -> throw new IllegalStateException("a pool task of unknown shape: " + function.getClass().getName());
        }
        return results;
    }

    /**
     * The worker's end of its tasks: batches arrive on its link's reader and wait here for the
     * worker's thread. A recall is answered on the reader at once, with the tasks the worker's
     * thread has not started.
     */
    private static final class Inbox implements ServedObject {
        private static final ByteBuffer ENDED = ByteBuffer.wrap(new byte[] {Frames.STOP});
        private final LinkedBlockingQueue<ByteBuffer> batches = new LinkedBlockingQueue<>();
        /** The link to the pool: its end, and no other connection's, ends the worker. */
        volatile Peer parent;
        private final ObjectHandle pool;
        private final java.util.concurrent.locks.ReentrantLock claims = new java.util.concurrent.locks.ReentrantLock();
        /** The seq of the last task the worker's thread started; guarded by {@link #claims}. */
        private long started;
        /** Ranges of seqs given back, {from, to}; guarded by {@link #claims}. */
        private final java.util.ArrayDeque<long[]> givenBack = new java.util.ArrayDeque<>();

        Inbox(ObjectHandle pool) {
            this.pool = pool;
        }

        ByteBuffer take() throws InterruptedException {
            return batches.take();
        }

        /** The worker's thread claims the task of {@code seq} to run it; false if it was given back. */
        boolean claim(long seq) {
            claims.lock();
            try {
                // Ranges come in any order (two cancels may recall 9, then 7): each is checked.
                givenBack.removeIf(range -> range[1] < seq);
                for (long[] range : givenBack) {
                    if (range[0] <= seq) {
                        return false;
                    }
                }
                started = seq;
                return true;
            } finally {
                claims.unlock();
            }
        }

        @Override
        public byte[] call(Caller caller, byte op, ByteBuffer payload, Deadline deadline) {
            throw new UnsupportedOperationException("a pool worker takes no call " + op);
        }

        @Override
        public void oneWay(Caller caller, byte op, ByteBuffer payload) {
            switch (op) {
                case Frames.RUN -> batches.add(payload);
                case Frames.RECALL -> giveBack(payload.getLong(), payload.getLong());
                default -> throw new UnsupportedOperationException("a pool worker takes no message " + op);
            }
        }

        /**
         * Gives back the tasks of seq {@code from..to} the worker's thread has not started: it runs
         * them in seq order, so those are the ones after the last it started.
         */
        private void giveBack(long from, long to) {
            long first;
            claims.lock();
            try {
                first = Math.max(from, started + 1);
                if (first <= to) {
                    givenBack.addLast(new long[] {first, to});
                }
            } finally {
                claims.unlock();
            }
            byte[] answer = ByteBuffer.allocate(24).putLong(from).putLong(first).putLong(to).array();
            // Posted, never written here: this is the link's reader, and a write that waited for the
            // pool to read could wait for a pool that waits for this reader to read.
            parent.post(pool.id(), Frames.RECALLED, answer);
        }

        @Override
        public void peerEnded(Peer peer) {
            if (peer == parent) {
                batches.add(ENDED.duplicate());
            }
        }
    }
}
