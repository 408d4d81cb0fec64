package dev.spindle.net;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what servers log: System.Logger goes to java.util.logging by default, so a handler on
 * StreamServer's logger sees every record. The records are kept off the console while capturing.
 */
final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger = Logger.getLogger(StreamServer.class.getName());
    private final boolean usedParentHandlers = logger.getUseParentHandlers();
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    LogCapture() {
        setLevel(Level.ALL);
        logger.addHandler(this);
        logger.setUseParentHandlers(false);
    }

    List<LogRecord> records() {
        return records;
    }

    /** The records logged so far by the server named {@code serverName}: their lines start with it. */
    List<LogRecord> recordsOf(String serverName) {
        return records.stream().filter(r -> r.getMessage().startsWith(serverName + ":")).toList();
    }

    /** The first control character in {@code s} (one a peer could forge a line with), or -1. */
    static int firstControlCharacter(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setUseParentHandlers(usedParentHandlers);
    }
}
