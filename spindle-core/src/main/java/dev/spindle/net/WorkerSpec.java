package dev.spindle.net;

import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * What a worker JVM of the process model needs to serve as its parent would: where, under which
 * model, what each connection runs, and the settings that cross. Made by
 * {@link StreamServerBuilder#workerSpec}, which refuses what cannot cross.
 *
 * @param factory  the protocol factory when {@code protocol}, else the handler factory; serializable
 */
record WorkerSpec(String host, int port, int backlog, String innerModel, int innerThreads, int innerQueue,
                  Supplier<?> factory, boolean protocol, Duration idleTimeout, int maxConnections, WhenFull whenFull,
                  long inputBudget, Duration shutdownGrace) implements Serializable {

    /** Binds this worker's server on the shared port; it accepts once started. */
    @SuppressWarnings("unchecked")
    StreamServer open(String name) throws IOException {
        Model inner = Model.of(innerModel);
        if (inner.threads() != innerThreads) {
            inner = inner.withThreads(innerThreads);
        }
        if (inner.queueCapacity() != innerQueue) {
            inner = inner.withQueueCapacity(innerQueue);
        }
        StreamServerBuilder builder = StreamServer.builder().name(name).bind(host, port).reusePort(true)
                .backlog(backlog).model(inner).idleTimeout(idleTimeout).whenFull(whenFull).shutdownGrace(shutdownGrace);
        if (maxConnections < Integer.MAX_VALUE) {
            builder.maxConnections(maxConnections);
        }
        if (inputBudget > 0) {
            builder.inputBudget(inputBudget);
        }
        if (protocol) {
            builder.protocol((Supplier<? extends Protocol>) factory);
        } else {
            builder.handlerFactory((Supplier<? extends ConnectionHandler>) factory);
        }
        return builder.open();
    }
}
