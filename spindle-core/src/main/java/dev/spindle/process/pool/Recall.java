package dev.spindle.process.pool;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Taking back the tasks queued behind a long one. A worker holds about a millisecond of its
 * recent tasks ahead of it; when one of them runs {@link #AFTER_NANOS} or longer while another
 * worker has nothing to do and the pool's queue is empty, the tasks behind it are recalled: the
 * worker gives back those it has not started ({@link Frames}), and they run elsewhere. Until the
 * long task ends, the worker is {@linkplain Worker#stalled stalled}: it is sent nothing more.
 *
 * <p>Called under the {@link Dispatcher}'s lock.
 */
final class Recall {

    /** How long a task may hold up the tasks behind it while another worker is idle. */
    static final long AFTER_NANOS = 2_000_000;

    private Recall() {
    }

    /**
     * Recalls the tasks behind every task that has run too long, if a worker is idle; adds the
     * workers sent a recall to {@code touched}.
     *
     * @return nanoseconds until the youngest task that holds up others will have run too long, or
     *         -1 when there is none (or no worker is idle)
     */
    static long stuck(WorkerJvms workers, List<Worker> touched, long now) {
        boolean someoneIdle = false;
        for (Worker w : workers.slots()) {
            someoneIdle |= w != null && w.state == Worker.State.READY && w.inFlight.isEmpty();
        }
        if (!someoneIdle) {
            return -1;
        }
        long soonest = Long.MAX_VALUE;
        for (Worker w : workers.live()) {
            if ((w.state != Worker.State.READY && w.state != Worker.State.RETIRING) || w.inFlight.size() < 2
                    || w.inFlight.stream().anyMatch(t -> t.recalling)) {
                continue; // nothing behind its task, or a recall is on its way already
            }
            long age = now - w.inFlight.peekFirst().startedNanos;
            if (age < AFTER_NANOS) {
                soonest = Math.min(soonest, AFTER_NANOS - age);
                continue;
            }
            PoolTask first = null;
            PoolTask last = null;
            Iterator<PoolTask> behind = w.inFlight.iterator();
            behind.next();
            while (behind.hasNext()) {
                PoolTask task = behind.next();
                task.recalling = true;
                first = first == null ? task : first;
                last = task;
            }
            w.enqueue(Frames.recall(first.seq, last.seq));
            w.stalled = true;
            if (!touched.contains(w)) {
                touched.add(w);
            }
        }
        return soonest == Long.MAX_VALUE ? -1 : soonest;
    }

    /**
     * The worker answered the recall of seq {@code asked..to} and gave back those of
     * {@code from..to}: takes them out of its in-flight tasks and returns them, in order. The others
     * it was asked for it had started: they are answered as usual. Another recall's tasks stay
     * marked until its own answer.
     */
    static List<PoolTask> givenBack(Worker w, long asked, long from, long to) {
        List<PoolTask> back = new ArrayList<>();
        for (Iterator<PoolTask> it = w.inFlight.iterator(); it.hasNext(); ) {
            PoolTask task = it.next();
            if (task.seq < asked || task.seq > to) {
                continue;
            }
            task.recalling = false;
            if (task.seq >= from) {
                it.remove();
                back.add(task);
            }
        }
        w.assigned -= back.size();
        return back;
    }
}
