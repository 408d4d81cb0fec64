package dev.spindle.process.queue;

import dev.spindle.internal.Deadline;
import dev.spindle.process.wire.Caller;
import dev.spindle.process.wire.Peer;
import dev.spindle.process.wire.ServedObject;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The queue itself, in the process that created it: encoded items in order, served to every
 * process that uses the queue (see {@link ProcessQueue}).
 *
 * <h2>Lending</h2>
 * A consumer in another process is lent items, not given them: they stay here, in the order sent,
 * until the consumer says its caller took one ({@link #TAKEN}), and come back to the head of the
 * queue when it gives them back ({@link #GIVE_BACK}) or its process ends. So a consumer that dies
 * loses nothing its caller had not taken, and nothing is delivered twice.
 *
 * <p>A take from another process gets what is there, up to {@code max} items, and subscribes its
 * loan: from then on, items that arrive while nobody waits in a take are sent to subscribed loans
 * ({@link #LEND}), in turn, as long as each has fewer than {@link Borrowed#BATCH} items it has not
 * taken. So a steady stream flows producer to holder to consumer as one-way messages, with no
 * round trip per item. Lending never starves another consumer: while someone waits in a take,
 * arriving items go to the waiters, and a take that must wait while items are lent elsewhere makes
 * the holder {@linkplain #RECALL recall} them (and stop sending to those loans until they take
 * again).
 *
 * <h2>Order</h2>
 * Every item is numbered as it is put. The queue and every loan are kept in that order: items given
 * back go to their place, not simply to the head, and an item is never lent to a loan that holds
 * one put after it (that loan gets it once it has taken those). So no consumer is sent an item
 * after one put later than it, and Python's end-marker pattern (one marker per consumer, put after
 * the work) never strands work behind a marker: an item recalled from one consumer while a marker
 * was lent to another goes to a consumer that has not taken its marker yet.
 *
 * <p>Capacity counts lent items: an item occupies its place until a caller has taken it.
 */
final class HeldQueue implements ServedObject {

    /** Call: put one item (the payload), waiting for room. Reply: one byte. */
    static final byte PUT = 1;
    /** One-way: put one item into an unbounded queue. */
    static final byte PUT_NOW = 2;
    /**
     * Call: payload {@code borrower:8 max:4}. From this process (borrower 0): one item, waiting for
     * it, replied as {@code n:4 (length:4 item)*n}; null when timed out. From another: never waits;
     * what is there, up to {@code max}, is lent (sent as {@link #LEND}s) and the loan subscribed
     * (see Lending), so that the consumer waits in its own process for what is sent to it; the
     * reply is {@code n:4}, how many were lent by this take.
     */
    static final byte TAKE = 3;
    /** One-way: payload {@code borrower:8 n:4}; the borrower's callers took the next n lent items. */
    static final byte TAKEN = 4;
    /** One-way: payload {@code borrower:8 n:4}; the borrower gives back the oldest n items of its loan. */
    static final byte GIVE_BACK = 5;
    /** Call: reply {@code size:4 remaining:4}. */
    static final byte SIZE = 6;
    /** Call: reply as TAKE, every queued item up to {@code max}; never waits. Payload {@code max:4}. */
    static final byte DRAIN = 7;
    /** Call: reply as TAKE, a copy of every item (queued and lent), in order. */
    static final byte SNAPSHOT = 8;
    /** Call: one task is done (joinable queues). Reply: one byte. */
    static final byte TASK_DONE = 9;
    /** Call: wait until every item put has been marked done. Reply: one byte; null when timed out. */
    static final byte JOIN = 10;
    /** Sent to a borrower's own served object: give back what you have not handed out. */
    static final byte RECALL = 1;
    /** Sent to a borrower's own served object: one more item lent, the payload. */
    static final byte LEND = 2;

    private static final byte[] OK = {1};

    private final int capacity;
    private final boolean joinable;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final Condition allDone = lock.newCondition();
    /** The queued items, in put order; guarded by {@link #lock}. */
    private final ArrayDeque<Item> items = new ArrayDeque<>();
    /** Each loan's items, sent and not yet taken, in put order; guarded by {@link #lock}. */
    private final Map<Loan, ArrayDeque<Item>> lent = new HashMap<>();
    /** Loans that arriving items are sent to, in turn; guarded by {@link #lock}. */
    private final ArrayDeque<Loan> subscribed = new ArrayDeque<>();
    private int lentCount;
    /** Threads of this process waiting in a take; remote consumers wait in their own processes. */
    private int waitingTakers;
    private long unfinished;
    /** The number the next item put gets; guarded by {@link #lock}. */
    private long nextNumber;

    /** Who items are lent to: a borrower object in a peer's process. */
    private record Loan(Peer peer, long borrower) {
    }

    /** An encoded item and its place in put order. */
    private record Item(long number, byte[] bytes) {
    }

    HeldQueue(int capacity, boolean joinable) {
        this.capacity = capacity;
        this.joinable = joinable;
    }

    @Override
    public byte[] call(Caller caller, byte op, ByteBuffer payload, Deadline deadline) throws Exception {
        return switch (op) {
            case PUT -> put(payload, deadline);
            case TAKE -> take(caller, payload.getLong(), payload.getInt(), deadline);
            case SIZE -> size();
            case DRAIN -> drain(payload.getInt());
            case SNAPSHOT -> snapshot();
            case TASK_DONE -> taskDone();
            case JOIN -> join(deadline);
            default -> throw new UnsupportedOperationException("a queue has no operation " + op);
        };
    }

    @Override
    public void oneWay(Caller caller, byte op, ByteBuffer payload) {
        switch (op) {
            case PUT_NOW -> {
                lock.lock();
                try {
                    add(copy(payload));
                } finally {
                    lock.unlock();
                }
            }
            case TAKEN -> taken(new Loan(caller.peer(), payload.getLong()), payload.getInt());
            case GIVE_BACK -> giveBack(new Loan(caller.peer(), payload.getLong()), payload.getInt());
            default -> throw new UnsupportedOperationException("a queue takes no message " + op);
        }
    }

    @Override
    public void peerEnded(Peer peer) {
        lock.lock();
        try {
            subscribed.removeIf(loan -> loan.peer() == peer);
            for (Loan loan : List.copyOf(lent.keySet())) {
                if (loan.peer() == peer) {
                    giveBack(loan, Integer.MAX_VALUE);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private byte[] put(ByteBuffer payload, Deadline deadline) throws InterruptedException {
        lock.lock();
        try {
            while (items.size() + lentCount >= capacity) {
                if (deadline.hasExpired() || !deadline.await(notFull) && items.size() + lentCount >= capacity) {
                    return null;
                }
            }
            add(copy(payload));
            return OK;
        } finally {
            lock.unlock();
        }
    }

    /** Adds an item; the lock is held. */
    private void add(byte[] item) {
        if (items.size() + lentCount >= capacity) {
            throw new IllegalStateException("the queue is full (capacity " + capacity + ")");
        }
        items.addLast(new Item(nextNumber++, item));
        if (joinable) {
            unfinished++;
        }
        if (waitingTakers > 0) {
            notEmpty.signal();
        } else {
            lendToSubscribers();
        }
    }

    /**
     * Sends an item to a loan; the lock is held. Every item a loan gets goes this way, posted (so
     * a consumer that does not read holds up no one here) in the order it is recorded, which is
     * the order the consumer receives it in: its reports and give-backs count from the front.
     * Posted to a connection that is ending, it is dropped there and comes back with the loan.
     */
    private void lend(Loan loan, ArrayDeque<Item> loans, Item item) {
        loans.addLast(item);
        lentCount++;
        loan.peer().post(loan.borrower(), LEND, item.bytes());
    }

    /**
     * Whether the head of the queue may be lent to a loan: it keeps the loan in put order (see
     * Order), so not while the loan holds an item put after it; the lock is held.
     */
    private boolean headFits(ArrayDeque<Item> loans) {
        return loans.isEmpty() || loans.peekLast().number() < items.peekFirst().number();
    }

    /** Sends queued items to subscribed loans, one each in turn, while they have room; the lock is held. */
    private void lendToSubscribers() {
        int misses = 0;
        while (!items.isEmpty() && misses < subscribed.size()) {
            Loan loan = subscribed.pollFirst();
            ArrayDeque<Item> loans = lent.computeIfAbsent(loan, l -> new ArrayDeque<>());
            if (loans.size() >= Borrowed.BATCH || !headFits(loans)) {
                subscribed.addLast(loan);
                misses++;
                continue;
            }
            lend(loan, loans, items.pollFirst());
            subscribed.addLast(loan);
            misses = 0;
        }
    }

    private byte[] take(Caller caller, long borrower, int max, Deadline deadline) throws InterruptedException {
        lock.lock();
        try {
            if (caller.isLocal() || borrower == 0) {
                return takeHere(deadline);
            }
            Loan mine = new Loan(caller.peer(), borrower);
            ArrayDeque<Item> loans = lent.computeIfAbsent(mine, l -> new ArrayDeque<>());
            int n = 0;
            if (items.isEmpty()) {
                // A consumer elsewhere waits in its own process, for items sent to its loan: none of
                // its waiting holds a thread here. Items lent to others wait no longer than it does.
                recallLoans(mine);
            } else if (headFits(loans)) {
                // While someone here waits, one at a time: a batch would hold items they could be serving.
                n = Math.min(items.size(), waitingTakers > 0 ? 1 : max);
                for (int i = 0; i < n; i++) {
                    lend(mine, loans, items.pollFirst());
                }
                if (!items.isEmpty()) {
                    notEmpty.signal();
                }
            }
            if (!subscribed.contains(mine)) {
                subscribed.addLast(mine);
            }
            // The items went as LENDs, in order with every other item for this loan; the reply says
            // how many, and may overtake them: the consumer waits for that many to arrive.
            return ByteBuffer.allocate(4).putInt(n).array();
        } finally {
            lock.unlock();
        }
    }

    /** A take by a thread of this process: one item, waiting here; the lock is held. */
    private byte[] takeHere(Deadline deadline) throws InterruptedException {
        if (items.isEmpty()) {
            if (deadline.hasExpired()) {
                return null;
            }
            recallLoans(null);
            waitingTakers++;
            try {
                // Checked again after a timeout: the wait may have used a signal meant for this item.
                while (items.isEmpty()) {
                    if (!deadline.await(notEmpty) && items.isEmpty()) {
                        return null;
                    }
                }
            } finally {
                waitingTakers--;
            }
        }
        byte[] item = items.pollFirst().bytes();
        taken(1);
        if (!items.isEmpty()) {
            notEmpty.signal();
        }
        return encode(List.of(item));
    }

    /** Asks every borrower but {@code mine} that holds items to give them back; the lock is held. */
    private void recallLoans(Loan mine) {
        for (Map.Entry<Loan, ArrayDeque<Item>> e : lent.entrySet()) {
            Loan loan = e.getKey();
            if (!e.getValue().isEmpty() && !loan.equals(mine)) {
                // No more sent to it until it takes again; a loan with nothing lent may be a consumer waiting for items.
                subscribed.remove(loan);
                loan.peer().post(loan.borrower(), RECALL, new byte[0]);
            }
        }
    }

    private void taken(Loan loan, int n) {
        lock.lock();
        try {
            ArrayDeque<Item> loans = lent.get(loan);
            int count = Math.min(n, loans == null ? 0 : loans.size());
            for (int i = 0; i < count; i++) {
                loans.pollFirst();
            }
            lentCount -= count;
            if (loans != null && loans.isEmpty() && !subscribed.contains(loan)) {
                lent.remove(loan);
            }
            taken(count);
            if (waitingTakers == 0) {
                lendToSubscribers();
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@code n} items have left the queue for good; the lock is held. */
    private void taken(int n) {
        if (n > 0) {
            notFull.signalAll();
        }
    }

    /** Puts the oldest {@code n} items lent on {@code loan} back in the queue, each in its place (see Order). */
    private void giveBack(Loan loan, int n) {
        lock.lock();
        try {
            subscribed.remove(loan);
            ArrayDeque<Item> loans = lent.get(loan);
            if (loans == null) {
                return;
            }
            List<Item> back = new ArrayList<>();
            while (back.size() < n && !loans.isEmpty()) {
                back.add(loans.pollFirst());
            }
            if (loans.isEmpty()) {
                lent.remove(loan);
            }
            lentCount -= back.size();
            putBack(back);
            if (waitingTakers > 0) {
                notEmpty.signalAll();
            } else {
                lendToSubscribers(); // the consumer whose wait recalled them waits for them in its own process
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Merges items given back (in put order) into the queue by their numbers; the lock is held.
     * They are usually older than every queued item, and go to the head.
     */
    private void putBack(List<Item> back) {
        if (back.isEmpty()) {
            return;
        }
        if (items.isEmpty() || back.getLast().number() < items.peekFirst().number()) {
            for (int i = back.size() - 1; i >= 0; i--) {
                items.addFirst(back.get(i));
            }
            return;
        }
        List<Item> merged = new ArrayList<>(items.size() + back.size());
        int b = 0;
        for (Item queued : items) {
            while (b < back.size() && back.get(b).number() < queued.number()) {
                merged.add(back.get(b++));
            }
            merged.add(queued);
        }
        merged.addAll(back.subList(b, back.size()));
        items.clear();
        items.addAll(merged);
    }

    private byte[] size() {
        lock.lock();
        try {
            int size = items.size() + lentCount;
            return ByteBuffer.allocate(8).putInt(size)
                    .putInt(capacity == Integer.MAX_VALUE ? Integer.MAX_VALUE : capacity - size).array();
        } finally {
            lock.unlock();
        }
    }

    private byte[] drain(int max) {
        lock.lock();
        try {
            List<byte[]> batch = new ArrayList<>();
            while (batch.size() < max && !items.isEmpty()) {
                batch.add(items.pollFirst().bytes());
            }
            taken(batch.size());
            return encode(batch);
        } finally {
            lock.unlock();
        }
    }

    private byte[] snapshot() {
        lock.lock();
        try {
            List<Item> all = new ArrayList<>(items);
            lent.values().forEach(all::addAll);
            all.sort(java.util.Comparator.comparingLong(Item::number));
            return encode(all.stream().map(Item::bytes).toList());
        } finally {
            lock.unlock();
        }
    }

    private byte[] taskDone() {
        if (!joinable) {
            throw new UnsupportedOperationException("taskDone belongs to a ProcessJoinableQueue");
        }
        lock.lock();
        try {
            if (unfinished == 0) {
                throw new IllegalStateException("taskDone() called more times than there were items put "
                        + "(Python's ValueError: task_done() called too many times)");
            }
            if (--unfinished == 0) {
                allDone.signalAll();
            }
            return OK;
        } finally {
            lock.unlock();
        }
    }

    private byte[] join(Deadline deadline) throws InterruptedException {
        if (!joinable) {
            throw new UnsupportedOperationException("join belongs to a ProcessJoinableQueue");
        }
        lock.lock();
        try {
            while (unfinished > 0) {
                if (deadline.hasExpired() || !deadline.await(allDone) && unfinished > 0) {
                    return null;
                }
            }
            return OK;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            StringBuilder b = new StringBuilder("HeldQueue[items=" + items.size() + ", lent=" + lentCount
                    + ", waiting=" + waitingTakers + ", subscribed=" + subscribed.size());
            lent.forEach((loan, l) -> b.append(", loan ").append(loan.peer().pid()).append('/').append(loan.borrower())
                    .append('=').append(l.size()).append(subscribed.contains(loan) ? "s" : ""));
            return b.append(']').toString();
        } finally {
            lock.unlock();
        }
    }

    private static byte[] copy(ByteBuffer payload) {
        byte[] item = new byte[payload.remaining()];
        payload.get(item);
        return item;
    }

    /** {@code n:4 (length:4 item)*n}: never empty, so a batch of none is not taken for a timeout. */
    static byte[] encode(List<byte[]> batch) {
        int size = 4;
        for (byte[] item : batch) {
            size += 4 + item.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).putInt(batch.size());
        for (byte[] item : batch) {
            out.putInt(item.length).put(item);
        }
        return out.array();
    }

    static List<byte[]> decode(ByteBuffer in) {
        int n = in.getInt();
        List<byte[]> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] item = new byte[in.getInt()];
            in.get(item);
            batch.add(item);
        }
        return batch;
    }
}
