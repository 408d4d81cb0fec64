package dev.spindle.net;

import java.io.IOException;
import java.net.BindException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** Why a server could not listen on an address, said so that the reader knows which address and what to do. */
final class BindFailure {

    private BindFailure() {
    }

    /** A {@link BindException} naming {@code address}, with {@code e}'s reason and advice, caused by {@code e}. */
    static BindException explain(SocketAddress address, IOException e) {
        String reason = String.valueOf(e.getMessage());
        BindException named = new BindException("cannot listen on " + address + ": " + reason + "; "
                + advice(address, e, reason));
        named.initCause(e);
        return named;
    }

    private static String advice(SocketAddress address, IOException e, String reason) {
        if (!(address instanceof UnixDomainSocketAddress unix)) {
            return e instanceof BindException
                    ? "choose another address or port, or stop the process that holds it"
                    : "check that the address is one of this machine's";
        }
        Path directory = unix.getPath().toAbsolutePath().getParent();
        if (directory != null && !Files.isDirectory(directory)) {
            return "create the directory " + directory + " first";
        }
        if (reason.contains("too long")) {
            return "a Unix-domain socket path holds at most 107 bytes; choose a shorter one";
        }
        if (reason.contains("ermission denied")) {
            return "choose a directory this user may write to";
        }
        return e instanceof BindException && reason.contains("in use")
                ? "choose another path, or stop the server that listens on it"
                : "choose another path";
    }
}
