package dev.spindle.net;

import java.util.stream.Stream;

/**
 * The models the server tests run under, one of each kind, for
 * {@code @MethodSource("dev.spindle.net.Models#every")} and its kin.
 */
final class Models {
    private Models() {
    }

    /** Every model: the blocking ones, then the non-blocking ones. */
    static Stream<Model> every() {
        return Stream.concat(blocking(), nonBlocking());
    }

    /** The models that run a handler on a thread of its own, or on the accepting thread (SYNC). */
    static Stream<Model> blocking() {
        return Stream.of(Model.SYNC, Model.THREAD, Model.pool(8, 400), Model.VIRTUAL);
    }

    /** The models that run protocols on loops or completion handlers. */
    static Stream<Model> nonBlocking() {
        return Stream.of(Model.eventLoop(2), Model.ASYNC);
    }
}
