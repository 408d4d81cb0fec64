package dev.spindle.net;

/** What a server needs of each open connection, whatever the model: to name it and to close it. */
interface LiveConnection {

    long id();

    /** Closes from outside its handler or protocol, remembering why; idempotent. */
    void closeFor(CloseReason reason);
}
