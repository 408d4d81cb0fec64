package dev.spindle.unixgram;

import dev.spindle.net.UnixDatagramProvider;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;

/**
 * Unix-domain datagram channels from junixsocket: {@link AFUNIXDatagramChannel} is a
 * {@link DatagramChannel}, selectable with its own provider's selectors, so Spindle's datagram
 * server and client use it as they use a UDP channel. Found by {@link java.util.ServiceLoader}.
 */
public final class JunixsocketDatagrams implements UnixDatagramProvider {

    /** For {@link java.util.ServiceLoader}. */
    public JunixsocketDatagrams() {
    }

    @Override
    public SocketAddress address(Path path) {
        try {
            return AFUNIXSocketAddress.of(path);
        } catch (IOException e) {
            throw new UncheckedIOException("not a usable Unix socket path: " + path, e);
        }
    }

    @Override
    public DatagramChannel open(Path path) throws IOException {
        AFUNIXDatagramChannel channel = AFUNIXDatagramChannel.open();
        if (path == null) {
            return channel;
        }
        try {
            channel.bind(AFUNIXSocketAddress.of(path));
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public boolean handles(SocketAddress address) {
        return address instanceof AFUNIXSocketAddress;
    }
}
