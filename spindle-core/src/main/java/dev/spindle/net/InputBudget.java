package dev.spindle.net;

import dev.spindle.codec.FrameDecoder;
import dev.spindle.codec.FramingException;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A server's budget for input buffered across all its connections: the bytes frame decoders hold
 * for frames not yet complete. Each connection has an {@link Account}; after each decode call the
 * account is charged the change in {@link FrameDecoder#buffered()}, and a connection whose charge
 * would take the total past the budget is refused with {@link InputBudgetExceededException}.
 *
 * <p>The total charged never exceeds the budget. Memory held may, by at most one read per
 * connection: a decoder has already copied a read's bytes when its account learns of them, and
 * a refused connection holds them until it is closed, which releases its whole charge.
 *
 * <p>Thread-safe: accounts are charged by their connections' threads and closed from any thread.
 */
final class InputBudget {

    /** No budget: the accounts of client connections, which charge nothing. */
    static final InputBudget NONE = new InputBudget(Long.MAX_VALUE);

    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();

    InputBudget(long limit) {
        this.limit = limit;
    }

    /** The default: a quarter of the heap, since a decoder's array may be up to twice the bytes it holds. */
    static long defaultLimit() {
        return Runtime.getRuntime().maxMemory() / 4;
    }

    /** Opens the account of connection {@code id} from {@code peer}. */
    Account open(long id, SocketAddress peer) {
        return this == NONE ? Account.UNCHARGED : new Account(this, id, peer);
    }

    long limit() {
        return limit;
    }

    /** Bytes charged now, across all connections. */
    long used() {
        return used.get();
    }

    /** The most ever charged at once. */
    long peak() {
        return peak.get();
    }

    /** Takes {@code bytes} from the budget, or returns false when that would pass the limit. */
    private boolean reserve(long bytes) {
        long now;
        long next;
        do {
            now = used.get();
            next = now + bytes;
            if (next > limit || next < 0) {
                return false;
            }
        } while (!used.compareAndSet(now, next));
        peak.accumulateAndGet(next, Math::max);
        return true;
    }

    private void release(long bytes) {
        used.addAndGet(-bytes);
    }

    /** One connection's share of the budget. */
    static final class Account {

        /** The account of an unbudgeted connection: charges are ignored. */
        static final Account UNCHARGED = new Account(null, 0, null);

        private static final long CLOSED = -1;

        private final InputBudget budget;
        private final long id;
        private final SocketAddress peer;
        /** Bytes charged to this account, or {@link #CLOSED} once its connection has ended. */
        private final AtomicLong held = new AtomicLong();
        private volatile boolean refused;

        private Account(InputBudget budget, long id, SocketAddress peer) {
            this.budget = budget;
            this.id = id;
            this.peer = peer;
        }

        /**
         * Decodes from {@code in} and charges what the decoder's held bytes grew by (or releases
         * what they shrank by).
         *
         * @throws InputBudgetExceededException when the growth does not fit in the budget
         */
        <T> T decode(FrameDecoder<T> decoder, ByteBuffer in) throws FramingException, InputBudgetExceededException {
            int before = decoder.buffered();
            T frame = decoder.decode(in);
            charge(decoder.buffered() - before);
            return frame;
        }

        /** As {@link #decode}, for {@link FrameDecoder#endOfInput()}. */
        <T> T endOfInput(FrameDecoder<T> decoder) throws FramingException, InputBudgetExceededException {
            int before = decoder.buffered();
            T last = decoder.endOfInput();
            charge(decoder.buffered() - before);
            return last;
        }

        private void charge(long delta) throws InputBudgetExceededException {
            if (delta == 0 || budget == null) {
                return;
            }
            if (delta < 0) {
                if (adjustHeld(delta)) {
                    budget.release(-delta);
                }
                return;
            }
            // Once refused, always refused: a caller that swallowed the exception gets it again
            // rather than a chance to buffer more.
            if (refused || !budget.reserve(delta)) {
                refused = true;
                long holding = Math.max(0, held.get()) + delta;
                throw new InputBudgetExceededException("connection #" + id + " from " + peer + " would hold "
                        + holding + " bytes of unfinished frames, past the server's input budget of " + budget.limit
                        + " bytes (" + budget.used() + " held across all connections), so it is closed; if frames"
                        + " this large are expected, raise the budget with StreamServerBuilder.inputBudget(bytes)"
                        + " or spindle serve --input-budget SIZE");
            }
            if (!adjustHeld(delta)) {
                budget.release(delta); // the connection ended meanwhile, and released what it held
            }
        }

        /** Adds {@code delta} to what is held; false when the account is closed. */
        private boolean adjustHeld(long delta) {
            long now;
            do {
                now = held.get();
                if (now == CLOSED) {
                    return false;
                }
            } while (!held.compareAndSet(now, now + delta));
            return true;
        }

        /** The connection has ended: returns everything it held to the budget. Idempotent. */
        void close() {
            if (budget == null) {
                return;
            }
            long was = held.getAndSet(CLOSED);
            if (was > 0) {
                budget.release(was);
            }
        }
    }
}
