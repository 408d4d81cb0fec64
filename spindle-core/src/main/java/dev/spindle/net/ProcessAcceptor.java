package dev.spindle.net;

import dev.spindle.internal.Deadline;
import dev.spindle.process.Pipe;
import dev.spindle.process.PipeConnection;
import dev.spindle.process.Process;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The process model's parent: it holds the port (a socket bound with {@code SO_REUSEPORT} that
 * never listens, so the kernel spreads connections over the workers only, and the port stays the
 * server's while a worker is replaced), starts the worker JVMs, replaces one that dies, sums their
 * counters, and drains them at shutdown.
 *
 * <h2>Lifecycle of a worker</h2>
 * Started with the server (its first report says it listens; {@code open} waits for every
 * worker's); replaced when it dies while the server runs (after a pause that doubles, from 100 ms
 * to 5 s, while replacements keep dying young); told the grace at shutdown, then SIGKILLed if it
 * has not ended a second after it.
 */
final class ProcessAcceptor extends Acceptor {

    private static final System.Logger LOG = System.getLogger(ProcessAcceptor.class.getName());
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final long MIN_RESPAWN_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_RESPAWN_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** A worker that dies sooner than this after it started counts as dying young. */
    private static final long YOUNG_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final Socket portHolder;
    private final SocketAddress localAddress;
    private final WorkerSpec spec;
    private final List<Worker> workers = new ArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    /** What workers that have ended counted, kept once they are gone. */
    private ServerStats retired = ServerStats.NONE; // under lock
    private volatile boolean stopping;

    private ProcessAcceptor(ServerContext context, Socket portHolder, WorkerSpec spec) throws IOException {
        super(context);
        this.portHolder = portHolder;
        this.localAddress = portHolder.getLocalSocketAddress();
        this.spec = spec;
    }

    static ProcessAcceptor open(ListenSpec listen, ServerContext context, int count, Model inner) throws IOException {
        if (!(listen.address() instanceof InetSocketAddress)) {
            throw new IllegalArgumentException("the process model serves TCP only: its workers share one port; got "
                    + listen.address());
        }
        Socket holder = new Socket();
        ProcessAcceptor acceptor = null;
        try {
            holder.setReuseAddress(true);
            holder.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            try {
                holder.bind(listen.address());
            } catch (IOException e) {
                throw BindFailure.explain(listen.address(), e);
            }
            InetSocketAddress bound = (InetSocketAddress) holder.getLocalSocketAddress();
            WorkerSpec spec = context.recipe().workerSpec(bound, inner);
            acceptor = new ProcessAcceptor(context, holder, spec);
            for (int i = 1; i <= count; i++) {
                acceptor.workers.add(acceptor.new Worker(i));
            }
            for (Worker worker : acceptor.workers) {
                worker.start();
            }
            Deadline ready = Deadline.after(START_TIMEOUT);
            for (Worker worker : acceptor.workers) {
                worker.awaitListening(ready);
            }
            return acceptor;
        } catch (IOException | RuntimeException e) {
            if (acceptor != null) {
                acceptor.stopping = true;
                acceptor.workers.forEach(Worker::kill);
            }
            holder.close();
            throw e;
        }
    }

    @Override
    SocketAddress localAddress() {
        return localAddress;
    }

    /** The workers accept; the accepting thread only waits. */
    @Override
    void serveUntil(Deadline until) {
        awaitClosed(until);
    }

    @Override
    boolean acceptOne(Deadline deadline) {
        throw new UnsupportedOperationException("handleRequest is not available under the process model: its "
                + "workers accept; use serveForever or start");
    }

    @Override
    void closeChannel() {
        stopping = true;
    }

    @Override
    void stopIntake() {
        // the workers stop accepting when they are told to drain
    }

    /** Tells every worker to shut down within what is left of the grace, and waits for them. */
    @Override
    boolean drain(Deadline deadline) {
        stopping = true;
        Duration grace = Duration.ofNanos(Math.max(0, deadline.remainingNanos()));
        for (Worker worker : workers) {
            worker.tellToStop(grace);
        }
        boolean all = true;
        Deadline last = Deadline.afterNanos(deadline.remainingNanos() + TimeUnit.SECONDS.toNanos(1));
        for (Worker worker : workers) {
            all &= worker.awaitExit(last);
        }
        return all;
    }

    @Override
    boolean stop(Deadline deadline) {
        stopping = true;
        workers.forEach(Worker::kill);
        try {
            portHolder.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
        return true;
    }

    @Override
    ServerStats remoteStats() {
        ServerStats sum;
        lock.lock();
        try {
            sum = retired;
        } finally {
            lock.unlock();
        }
        for (Worker worker : workers) {
            sum = sum.plus(worker.latest.get());
        }
        return sum;
    }

    @Override
    List<Long> workerPids() {
        List<Long> pids = new ArrayList<>();
        for (Worker worker : workers) {
            Process<Void> p = worker.process;
            if (p != null && p.isAlive() && worker.listening) {
                pids.add(p.pid());
            }
        }
        return pids;
    }

    /** One worker slot: its current JVM, the pipe it reports on, and what it last reported. */
    private final class Worker {
        private final int number;
        private final AtomicReference<ServerStats> latest = new AtomicReference<>(ServerStats.NONE);
        private volatile Process<Void> process;
        private volatile PipeConnection parentEnd;
        private volatile boolean listening;
        private volatile long startedAt;
        private long pauseNanos = MIN_RESPAWN_PAUSE_NANOS;
        private final ReentrantLock stateLock = new ReentrantLock();
        private final Condition changed = stateLock.newCondition();

        Worker(int number) {
            this.number = number;
        }

        private String name() {
            return context.name() + "-w" + number;
        }

        void start() throws IOException {
            Pipe pipe = Pipe.open(true);
            PipeConnection childEnd = pipe.right();
            WorkerSpec job = spec;
            String workerName = name();
            listening = false;
            parentEnd = pipe.left();
            startedAt = System.nanoTime();
            Process<Void> started = Process.target(() -> ProcessWorker.serve(job, workerName, childEnd))
                    .name(workerName).daemon(true).allowCodeOf(spec.factory()).start();
            process = started;
            PipeConnection reports = parentEnd;
            Thread.ofVirtual().name(workerName + "-reports").start(() -> readReports(started, reports));
        }

        /** Takes the worker's reports until its pipe ends, then, unless the server is stopping, replaces it. */
        private void readReports(Process<Void> started, PipeConnection reports) {
            try {
                while (true) {
                    ServerStats stats = (ServerStats) reports.recv();
                    latest.set(stats);
                    if (!listening) {
                        signal(() -> listening = true);
                    }
                }
            } catch (IOException | RuntimeException ended) {
                // the worker is gone (or going): its pipe has ended
            }
            try {
                started.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lock.lock();
            try {
                retired = retired.plus(latest.getAndSet(ServerStats.NONE).ended());
            } finally {
                lock.unlock();
            }
            signal(() -> { });
            if (!stopping) {
                replace(started);
            }
        }

        private void replace(Process<Void> dead) {
            boolean young = System.nanoTime() - startedAt < YOUNG_NANOS;
            pauseNanos = young ? Math.min(MAX_RESPAWN_PAUSE_NANOS, pauseNanos * 2) : MIN_RESPAWN_PAUSE_NANOS;
            LOG.log(System.Logger.Level.WARNING, name() + " (pid " + dead.pid() + ") ended ("
                    + describeExit(dead) + "); starting another in " + TimeUnit.NANOSECONDS.toMillis(pauseNanos) + " ms");
            try {
                Thread.sleep(Duration.ofNanos(pauseNanos));
                if (!stopping) {
                    start();
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.ERROR, name() + " could not be replaced: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void awaitListening(Deadline deadline) throws IOException {
            stateLock.lock();
            try {
                while (!listening) {
                    Process<Void> p = process;
                    if (p != null && !p.isAlive() && p.exitCode().isPresent()) {
                        throw new IOException(name() + " failed to start: "
                                + p.exception().map(Object::toString).orElse(describeExit(p)));
                    }
                    if (!deadline.await(changed)) {
                        throw new IOException(name() + " did not start listening within " + START_TIMEOUT);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while " + name() + " started", e);
            } finally {
                stateLock.unlock();
            }
        }

        void tellToStop(Duration grace) {
            try {
                PipeConnection end = parentEnd;
                if (end != null) {
                    end.send(grace, Duration.ofSeconds(1));
                }
            } catch (IOException e) {
                // already gone
            }
        }

        boolean awaitExit(Deadline deadline) {
            Process<Void> p = process;
            if (p == null) {
                return true;
            }
            try {
                if (p.join(Duration.ofNanos(Math.max(0, deadline.remainingNanos())))) {
                    return true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            kill();
            return false;
        }

        void kill() {
            Process<Void> p = process;
            if (p != null && p.isAlive()) {
                p.kill();
                try {
                    p.join(Duration.ofSeconds(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private void signal(Runnable change) {
            stateLock.lock();
            try {
                change.run();
                changed.signalAll();
            } finally {
                stateLock.unlock();
            }
        }
    }

    private static String describeExit(Process<Void> p) {
        return p.exitCode().isPresent() ? "exit code " + p.exitCode().getAsInt() : "still running";
    }
}
