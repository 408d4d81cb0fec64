package dev.spindle.net;

import dev.spindle.codec.FramingException;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.function.BiConsumer;

/**
 * A server's error policy: how a connection's end is counted, and who hears of a failure (the
 * user's {@code handle_error} hook, or a rate-limited log line). Thread-safe.
 */
final class ServerErrors {

    private final String name;
    private final ServerCounters counters;
    private final ServerLog log;
    private final BiConsumer<? super SocketAddress, ? super Throwable> onError;
    /** Whether failures go to the default log line rather than a hook of the user's. */
    private final boolean defaultHook;

    /** @param onError the user's hook, or {@code null} for the log */
    ServerErrors(String name, ServerCounters counters, ServerLog log,
                 BiConsumer<? super SocketAddress, ? super Throwable> onError) {
        this.name = name;
        this.counters = counters;
        this.log = log;
        this.defaultHook = onError == null;
        this.onError = onError != null ? onError : this::logFailure;
    }

    /** Whether a hook of the user's hears every failure (accept failures included). */
    boolean userHook() {
        return !defaultHook;
    }

    /** Counts a connection's end by its cause: its timeout, the shutdown (not counted), or an error. */
    void count(Object connection, CloseReason reason, SocketAddress peer, Throwable t) {
        // An if-chain rather than a switch on the enum, whose lookup class javac generates and
        // the JVM loads on first use: that first use may come when no descriptor is left.
        if (reason == CloseReason.TIMEOUT) {
            counters.timedOut.increment();
            log.debug(() -> name + ": " + connection + " timed out");
        } else if (reason == CloseReason.NONE) {
            counters.errors.increment();
            report(peer, t);
        }
    }

    /** Counts and reports a failure that ended no registered connection (it failed while being set up). */
    void failed(SocketAddress peer, Throwable t) {
        counters.errors.increment();
        report(peer, t);
    }

    /** Runs the error hook; a hook that throws is logged, never allowed to end the calling thread's work. */
    void report(SocketAddress peer, Throwable t) {
        try {
            onError.accept(peer, t);
        } catch (Throwable hookFailure) {
            log.failure(name + ": the error hook threw", hookFailure);
            rethrowIfFatal(hookFailure);
        }
    }

    private void logFailure(SocketAddress peer, Throwable t) {
        String who = peer == null ? name : name + ": connection from " + peer;
        if (t instanceof FramingException || t instanceof IOException) {
            log.failure(who + " closed: " + ServerLog.describe(t), null);
        } else {
            log.failure(who + " failed in its handler", t);
        }
    }

    /** Lets a fatal error (other than running out of memory, which one connection may cause) end the thread. */
    static void rethrowIfFatal(Throwable t) {
        if (t instanceof VirtualMachineError fatal && !(t instanceof OutOfMemoryError)) {
            throw fatal;
        }
    }
}
