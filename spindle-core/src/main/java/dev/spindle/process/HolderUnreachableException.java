package dev.spindle.process;

/**
 * A shared object (a queue, a lock, …) could not be used because the process that holds it has
 * ended or cannot be reached. Every process that uses a shared object calls the one process that
 * created it; when that process is gone, so is the object. Keep the creating process alive (the
 * parent, usually) for as long as others use what it created.
 */
public class HolderUnreachableException extends IllegalStateException {

    private final long holderPid;

    public HolderUnreachableException(String message, long holderPid, Throwable cause) {
        super(message, cause);
        this.holderPid = holderPid;
    }

    /** The pid of the process that held the object. */
    public long holderPid() {
        return holderPid;
    }
}
