package dev.spindle.net;

import java.io.IOException;

/** asyncio's proactor: NIO.2 asynchronous channels whose completions run on a group of threads. */
final class AsyncModel extends Model {

    private final int threads;

    AsyncModel(int threads) {
        this.threads = threads;
    }

    @Override
    public String name() {
        return "async";
    }

    @Override
    public int threads() {
        return threads;
    }

    @Override
    boolean nonBlocking() {
        return true;
    }

    @Override
    Acceptor listen(ListenSpec spec, ServerContext context) throws IOException {
        return AsyncAcceptor.open(spec, context, threads);
    }

    @Override
    Dispatcher datagramDispatcher(String serverName) {
        throw new UnsupportedOperationException("the async model has no datagram form: the JDK has no "
                + "asynchronous datagram channel; choose event-loop for a non-blocking datagram server");
    }

    @Override
    public String toString() {
        return name();
    }
}
