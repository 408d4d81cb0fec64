package dev.spindle.ignite;

import dev.spindle.process.JavaSerializer;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteException;
import org.apache.ignite.compute.ComputeJobAdapter;
import org.apache.ignite.resources.IgniteInstanceResource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * One task on the node that runs it. The task travels as Spindle's Java-serialized bytes, read on
 * the node under the node's allow-list widened by the task's own code classes, as a local worker
 * reads a task: Ignite's marshaller never sees the user's objects (it cannot write records). Its
 * value goes back the same way. Cancelling the job (its timeout, the caller's cancel, the node
 * stopping) interrupts its thread, so that a task that waits or checks its interrupt really stops.
 */
final class CallJob extends ComputeJobAdapter {

    private static final long serialVersionUID = 1L;

    private final byte[] task;
    private final ArrayList<String> code;
    @IgniteInstanceResource
    private transient Ignite ignite;
    private transient volatile Thread runner;

    CallJob(byte[] task, List<String> code) {
        this.task = task;
        this.code = new ArrayList<>(code);
    }

    @Override
    public Object execute() {
        runner = Thread.currentThread();
        try {
            JavaSerializer serializer = Member.serializerOf(ignite, code);
            Callable<?> call;
            try {
                call = (Callable<?>) serializer.decode(task);
            } catch (IOException e) {
                throw new IllegalArgumentException("node " + ignite.cluster().localNode().attribute(Member.IDENTITY)
                        + " refused the task: " + e.getMessage(), e);
            }
            return serializer.encode(call.call());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IgniteException(e);
        } finally {
            runner = null;
        }
    }

    @Override
    public void cancel() {
        super.cancel();
        Thread t = runner;
        if (t != null) {
            t.interrupt();
        }
    }
}
