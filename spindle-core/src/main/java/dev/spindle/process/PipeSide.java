package dev.spindle.process;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;

/**
 * One end of a pipe as its holder sees it: the messages waiting to be received there, and who
 * uses it. Plain state: its {@link PipeRelay}'s lock guards every field.
 *
 * <h2>Users</h2>
 * A user is counted under the pid of its process: an end object of the holder that has been used
 * and not closed, another process's link to this end, or a reservation for a child handed the end
 * (pid 0 until the child's pid is known). The end is <em>finished</em> once it has had a user and
 * has none left. It is <em>abandoned</em> when it never had one and the holder's own objects for it
 * are all closed or collected, so that nobody can ever use it: Python's pipe whose last descriptor
 * for that end was closed unused. Either way it is <em>gone</em>: its peer reads end-of-file, and
 * nothing sent to it can be received. A gone end that the holder still has an object for could yet
 * be handed to a new child, so what waits there stays for it; once no such object is left either,
 * the end is <em>unreachable</em> and what waited there is dropped.
 */
final class PipeSide {

    final ArrayDeque<byte[]> messages = new ArrayDeque<>();
    /** Signalled when a message arrives, or the other side goes: receivers wait on it. */
    final Condition arrived;
    /** Signalled when the queue falls to half its limit, or this side goes: senders wait on it. */
    final Condition drained;
    long bytes;
    private final Map<Long, Integer> usersByPid = new HashMap<>();
    private int users;
    private boolean used;
    /** The holder's own end objects for this side that are neither closed nor collected. */
    private int handles;

    PipeSide(Condition arrived, Condition drained) {
        this.arrived = arrived;
        this.drained = drained;
    }

    void attach(long pid) {
        usersByPid.merge(pid, 1, Integer::sum);
        users++;
        used = true;
    }

    void detach(long pid) {
        if (usersByPid.merge(pid, -1, Integer::sum) == 0) {
            usersByPid.remove(pid);
        }
        users--;
    }

    /** A reservation made for a child not yet started (pid 0) now belongs to the child {@code pid}. */
    void rebind(long pid) {
        detach(0);
        attach(pid);
    }

    void handleOpened() {
        handles++;
    }

    void handleClosed() {
        handles--;
    }

    boolean gone() {
        return used ? users == 0 : handles == 0;
    }

    /** Whether this side is gone and the holder has no object left that could hand it to a new user. */
    boolean unreachable() {
        return gone() && handles == 0;
    }

    /** Whether every user is of process {@code pid}, so that nothing it takes ahead can be wanted elsewhere. */
    boolean soleUser(long pid) {
        return usersByPid.size() == 1 && usersByPid.containsKey(pid);
    }

    /** Whether a user lives in a process other than {@code self} that this one's exit should wait for. */
    boolean usedElsewhere(long self) {
        for (long pid : usersByPid.keySet()) {
            if (pid != self && (pid == 0 || (!Children.isDaemon(pid)
                    && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)))) {
                return true;
            }
        }
        return false;
    }

    /** Whether this side never had a user: a child started with it may still come. */
    boolean unused() {
        return !used;
    }

    /** Drops what waits here: once the side is unreachable nobody can receive it, and it only holds memory. */
    void discard() {
        messages.clear();
        bytes = 0;
    }
}
