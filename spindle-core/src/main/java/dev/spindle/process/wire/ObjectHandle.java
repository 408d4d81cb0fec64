package dev.spindle.process.wire;

import dev.spindle.internal.Deadline;
import dev.spindle.process.HolderUnreachableException;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;

/**
 * How a shared object (a queue, a lock) reaches the {@link ServedObject} behind it, wherever it
 * is used: in the process that serves it, a direct call; in any other, a call over the
 * {@link Peer} to the holder's hub. The handle is what crosses when a task captures the object,
 * so every process that has the object has a handle to the same served one: Python's proxy.
 *
 * <p>Both paths behave alike: the same {@link ServedObject#call} runs, and its failures reach the
 * caller as the same unchecked exceptions (see {@link #call}).
 */
public final class ObjectHandle implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final long PID = ProcessHandle.current().pid();

    private final String address;
    private final long holderPid;
    private final long id;
    private transient ServedObject local;
    /** The connection to the holder, once made; replaced when it ends. */
    private transient volatile Peer peer;

    private ObjectHandle(String address, long holderPid, long id, ServedObject local) {
        this.address = address;
        this.holderPid = holderPid;
        this.id = id;
        this.local = local;
    }

    /** Serves {@code object} from this process, reachable from every process of the run. */
    public static ObjectHandle serve(ServedObject object) throws IOException {
        Hub hub = Hub.announced();
        return new ObjectHandle(hub.addressText(), PID, ServedObjects.add(object), object);
    }

    /**
     * The object a TCP hub at {@code address} serves as target 0 of its connections (see
     * {@link Hub#listen}), in process {@code pid} (0 while not known): how a process that is not
     * of the run starts, as a remote manager's client does.
     */
    public static ObjectHandle homeOf(java.net.InetSocketAddress address, long pid) {
        return new ObjectHandle(TcpHubAddress.of(address).text(), pid, 0, null);
    }

    /** The pid of the process that serves the object. */
    public long holderPid() {
        return holderPid;
    }

    /** The served object's id in its holder. */
    public long id() {
        return id;
    }

    /** Whether the object is served by this process. */
    public boolean isLocal() {
        return local != null;
    }

    /** The served object, when {@link #isLocal}. */
    public ServedObject local() {
        return local;
    }

    /**
     * Calls {@code op} with {@code payload}, waiting up to {@code wait} where the object is.
     *
     * @return the reply, or {@code null} when the call timed out
     * @throws InterruptedException when interrupted before the call was served
     * @throws HolderUnreachableException when the holder has ended or cannot be reached
     * @throws IllegalStateException, IllegalArgumentException, UnsupportedOperationException as the object threw them
     */
    public ByteBuffer call(byte op, byte[] payload, Deadline wait) throws InterruptedException {
        ServedObject object = local;
        if (object != null) {
            try {
                byte[] reply = object.call(Caller.local(), op, ByteBuffer.wrap(payload), wait);
                return reply == null ? null : ByteBuffer.wrap(reply);
            } catch (RuntimeException | InterruptedException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        try {
            return peer().call(id, op, payload, wait);
        } catch (CallFailedException e) {
            throw e.toRuntime();
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
            throw unreachable(e);
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    /**
     * {@link #call}, deaf to interrupts: a remote call is never cancelled halfway (and so never
     * made twice); the thread's interrupt status is kept. For calls that must not be stopped, such
     * as a managed map's methods, which declare no {@link InterruptedException}.
     */
    public ByteBuffer callUninterruptibly(byte op, byte[] payload, Deadline wait) {
        if (local != null) {
            boolean interrupted = Thread.interrupted();
            try {
                while (true) {
                    try {
                        return call(op, payload, wait);
                    } catch (InterruptedException e) {
                        interrupted = true; // interrupted while it waited here: it did not happen, so again
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        try {
            return peer().callUninterruptibly(id, op, payload, wait);
        } catch (CallFailedException e) {
            throw e.toRuntime();
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    /** Sends {@code op} with {@code payload} and no reply; locally, runs it now. */
    public void oneWay(byte op, byte[] payload, int offset, int length) {
        ServedObject object = local;
        if (object != null) {
            try {
                object.oneWay(Caller.local(), op, ByteBuffer.wrap(payload, offset, length));
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            return;
        }
        try {
            peer().oneWay(id, op, payload, offset, length);
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    /** The connection to the holder this handle last used, or null: to tell whether one that ended was it. */
    public Peer connected() {
        return peer;
    }

    /** The connection to the holder, for a handle used outside it. */
    public Peer peer() throws IOException {
        Peer known = peer;
        if (known == null || known.hasEnded()) {
            known = Peers.to(HubAddress.parse(address), holderPid);
            peer = known;
        }
        return known;
    }

    private HolderUnreachableException unreachable(IOException e) {
        return new HolderUnreachableException("the object lives in process " + holderPid
                + ", which cannot be reached: " + e.getMessage(), holderPid, e);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ObjectHandle h && h.holderPid == holderPid && h.id == id && h.address.equals(address);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(holderPid * 31 + id);
    }

    @Override
    public String toString() {
        return "object " + id + " of process " + holderPid;
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        // The address, not the pid, says where: a remote manager's pid may be a local process's too.
        if (Hub.isOwn(address)) {
            local = ServedObjects.get(id);
        }
    }
}
