package dev.spindle.process.pool;

import java.nio.ByteBuffer;

/**
 * What a pool and its workers say to each other, as one-way messages over the worker's link (the
 * one envelope of {@link dev.spindle.process.wire.Peer}).
 *
 * <pre>
 * pool to worker, op {@link #RUN}: frames, each
 *   DEFINE jobId:8 length:4 definition      a job ({@link Job.Definition}) the tasks after it use
 *   FORGET jobId:8                          the pool will not use the job on this worker again
 *   TASK   taskId:8 seq:8 jobId:8 length:4 args
 *                                           run one chunk; args as ValueCodec.writeAll wrote them;
 *                                           seq numbers the tasks sent to this worker, 1, 2, ...
 *   STOP                                    run nothing more: exit
 * pool to worker, op {@link #RECALL}, served on the worker's link reader at once:
 *   from:8 to:8                             give back the tasks of seq from..to you have not started
 * worker to pool:
 *   READY  serial:8 inbox:8                 initialized; tasks go to served object {@code inbox}
 *   DONE   taskId:8 status:1 body           OK: results (ValueCodec.writeAll); THREW or FATAL:
 *                                           the exception (ChildException.write); FATAL also
 *                                           means the worker exits now and runs nothing more
 *   RECALLED asked:8 from:8 to:8            answer to the recall of asked..to: the tasks of seq
 *                                           from..to will not run here (none if from > to), those
 *                                           of asked..from-1 had started and will be answered
 * </pre>
 *
 * A worker runs its tasks one at a time in the order they arrive and sends each one's DONE before
 * it starts the next: when a worker dies, the first task the pool has no DONE for is the one it
 * was running, and those after it never started. A recall and the worker's task thread agree under
 * one lock on the last seq the thread has started: a task either runs here (and is answered) or
 * is given back, never both. RECALLED is sent by the worker's link reader, apart from the task
 * thread's DONEs, so the pool takes a DONE for a task behind tasks it is recalling as in turn.
 */
final class Frames {

    static final byte RUN = 1;
    static final byte RECALL = 2;
    static final byte READY = 1;
    static final byte DONE = 2;
    static final byte RECALLED = 3;

    static final byte DEFINE = 1;
    static final byte FORGET = 2;
    static final byte TASK = 3;
    static final byte STOP = 4;

    static final byte OK = 0;
    static final byte THREW = 1;
    static final byte FATAL = 2;

    private Frames() {
    }

    static byte[] define(Job job) {
        return ByteBuffer.allocate(13 + job.definition.length).put(DEFINE).putLong(job.id)
                .putInt(job.definition.length).put(job.definition).array();
    }

    static byte[] forget(long jobId) {
        return ByteBuffer.allocate(9).put(FORGET).putLong(jobId).array();
    }

    static byte[] task(PoolTask task, long seq) {
        return ByteBuffer.allocate(29 + task.arguments.length).put(TASK).putLong(task.id).putLong(seq)
                .putLong(task.job.id).putInt(task.arguments.length).put(task.arguments).array();
    }

    static byte[] stop() {
        return new byte[] {STOP};
    }

    /** A recall: sent as a message of its own ({@link #RECALL}), not within a RUN. */
    static byte[] recall(long from, long to) {
        return ByteBuffer.allocate(17).put(RECALL_FRAME).putLong(from).putLong(to).array();
    }

    /** Marks a recall in a worker's outbox, where every other frame goes out within a RUN. */
    static final byte RECALL_FRAME = 5;

}
