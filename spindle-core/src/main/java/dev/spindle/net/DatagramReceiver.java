package dev.spindle.net;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * One socket of a {@link DatagramServer} and the thread that receives on it: a selector loop that
 * takes every datagram waiting, copies it, and hands it to the handler under the model's
 * {@link Dispatcher}. Also the socket replies go out from.
 *
 * <p>The buffer is one byte larger than the largest datagram the server takes, so that a longer
 * one, which the socket cuts short without a word, shows as filling it: it is counted, reported
 * and dropped, never handled as if it were whole.
 */
final class DatagramReceiver implements Runnable, DatagramReplies {

    private final DatagramServer server;
    private final DatagramChannel channel;
    private final Selector selector;
    private final ByteBuffer buffer;
    private final int maxDatagramSize;
    private final Thread thread;
    private volatile boolean stopping;

    DatagramReceiver(DatagramServer server, DatagramChannel channel, int maxDatagramSize, String threadName)
            throws IOException {
        this.server = server;
        this.channel = channel;
        this.maxDatagramSize = maxDatagramSize;
        this.buffer = ByteBuffer.allocateDirect(maxDatagramSize + 1);
        channel.configureBlocking(false);
        // The channel's own provider: a junixsocket channel cannot join the JDK's selectors.
        this.selector = channel.provider().openSelector();
        try {
            channel.register(selector, SelectionKey.OP_READ);
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
        this.thread = Thread.ofPlatform().name(threadName).daemon(true).unstarted(this);
    }

    DatagramChannel channel() {
        return channel;
    }

    void start() {
        thread.start();
    }

    /** Stops receiving, leaving the socket open for replies still to be sent. */
    void stopReceiving() {
        stopping = true;
        selector.wakeup();
    }

    Thread thread() {
        return thread;
    }

    /** Closes the socket and, if the thread never ran to close it, the selector. */
    void close() {
        ConnectionRegistry.closeQuietly(channel);
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    @Override
    public void run() {
        try {
            while (!stopping) {
                selector.select();
                selector.selectedKeys().clear();
                receiveAll();
            }
        } catch (ClosedSelectorException | ClosedChannelException e) {
            // closed by shutdown
        } catch (IOException e) {
            if (!stopping) {
                server.failed(null, e);
            }
        } finally {
            try {
                selector.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }

    private void receiveAll() throws IOException {
        while (!stopping) {
            SocketAddress sender;
            try {
                sender = channel.receive(buffer.clear());
            } catch (ClosedChannelException e) {
                throw e;
            } catch (IOException e) {
                // An ICMP error from an earlier reply (port unreachable) surfaces on a later receive.
                server.failed(null, e);
                continue;
            }
            if (sender == null && buffer.position() == 0) {
                return; // nothing waiting
            }
            int n = buffer.flip().remaining();
            if (n > maxDatagramSize) {
                server.truncated(sender, maxDatagramSize);
                continue;
            }
            byte[] data = new byte[n];
            buffer.get(data);
            server.received(new Datagram(data, sender, this));
        }
    }

    @Override
    public void send(ByteBuffer data, SocketAddress to) throws IOException {
        if (to == null) {
            throw new IOException("the sender cannot be answered: an unbound Unix-domain socket has no address");
        }
        int length = data.remaining();
        int sent;
        try {
            sent = channel.send(data, to);
        } catch (IOException e) {
            server.replyFailed(to, e);
            throw e;
        }
        if (sent == 0 && length > 0) {
            IOException full = new IOException("the reply of " + length + " bytes to " + to
                    + " was not sent: the socket's send buffer is full (datagrams are not queued)");
            server.replyFailed(to, full);
            throw full;
        }
        server.replied(sent);
    }
}
