package dev.spindle.net;

/** Why a connection was closed from outside its handler or protocol; decides how its end is counted. */
enum CloseReason {
    /** Not closed from outside. */
    NONE,
    /** A read or write passed its timeout: the idle timeout. */
    TIMEOUT,
    /** The server's shutdown deadline passed. */
    SHUTDOWN;

    /** What a non-blocking connection closed for this reason tells its protocol it ended with. */
    Throwable cause(Object connection) {
        return this == TIMEOUT ? new java.net.SocketTimeoutException(connection + " was idle too long")
                : new java.nio.channels.AsynchronousCloseException();
    }
}
