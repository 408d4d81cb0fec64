package dev.spindle.net;

/** Handlers the server tests share. */
final class Handlers {
    private Handlers() {
    }

    /** Returns exactly the bytes received, until the peer closes. */
    static final ConnectionHandler ECHO = connection -> {
        byte[] data;
        while ((data = connection.recv(8192)).length > 0) {
            connection.sendAll(data);
        }
    };

    /** Echoes each frame of the connection's framing as a frame. */
    static final ConnectionHandler FRAME_ECHO = connection -> {
        byte[] frame;
        while ((frame = connection.readFrame()) != null) {
            connection.sendFrame(frame);
        }
    };
}
