package dev.spindle.net;

import java.io.IOException;

/** socketserver's {@code ForkingMixIn}, as long-lived worker JVMs sharing one port with {@code SO_REUSEPORT}. */
final class ProcessModel extends Model {

    private final int workers;
    private final Model inner;

    ProcessModel(int workers, Model inner) {
        if (workers < 1) {
            throw new IllegalArgumentException("the process model needs at least one worker, got " + workers);
        }
        if (inner instanceof ProcessModel) {
            throw new IllegalArgumentException("a worker runs its connections under a model of threads or loops, "
                    + "not under the process model again");
        }
        this.workers = workers;
        this.inner = inner;
    }

    @Override
    public String name() {
        return "process";
    }

    /** The worker JVMs. */
    @Override
    public int threads() {
        return workers;
    }

    @Override
    public Model withThreads(int threads) {
        return new ProcessModel(threads, inner);
    }

    /** The model each worker serves under. */
    Model inner() {
        return inner;
    }

    @Override
    boolean nonBlocking() {
        return inner.nonBlocking();
    }

    @Override
    Acceptor listen(ListenSpec spec, ServerContext context) throws IOException {
        return ProcessAcceptor.open(spec, context, workers, inner);
    }

    @Override
    Dispatcher datagramDispatcher(String serverName) {
        throw new UnsupportedOperationException("the process model serves streams; for datagrams choose the "
                + "event-loop model, whose sockets share the port the same way");
    }

    @Override
    public String toString() {
        return "process(" + workers + " × " + inner + ")";
    }
}
