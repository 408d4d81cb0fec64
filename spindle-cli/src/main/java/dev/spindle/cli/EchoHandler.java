package dev.spindle.cli;

import dev.spindle.net.Connection;
import dev.spindle.net.ConnectionHandler;

/**
 * The seeds' echo server: returns exactly the bytes received, or upper-cased as the seeds'
 * {@code data.upper()} does (ASCII letters only, every other byte as it came). Under raw
 * framing each read is echoed as it arrives; under any other framing each frame is echoed as a
 * frame. Stateless and sharable.
 */
final class EchoHandler implements ConnectionHandler {

    private static final int CHUNK = 64 * 1024;

    private final boolean upper;
    private final boolean raw;

    EchoHandler(boolean upper, boolean raw) {
        this.upper = upper;
        this.raw = raw;
    }

    @Override
    public void handle(Connection connection) throws Exception {
        if (raw) {
            byte[] data;
            while ((data = connection.recv(CHUNK)).length > 0) {
                connection.sendAll(transform(data));
            }
        } else {
            byte[] frame;
            while ((frame = connection.readFrame()) != null) {
                connection.sendFrame(transform(frame));
            }
        }
    }

    private byte[] transform(byte[] data) {
        if (upper) {
            for (int i = 0; i < data.length; i++) {
                byte b = data[i];
                if (b >= 'a' && b <= 'z') {
                    data[i] = (byte) (b - ('a' - 'A'));
                }
            }
        }
        return data;
    }
}
