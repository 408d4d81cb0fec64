package dev.spindle.bench;

import dev.spindle.net.DatagramHandler;
import dev.spindle.net.DatagramServer;
import dev.spindle.net.Model;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The UDP echo servers the datagram benchmark compares, one per JVM: Spindle's
 * {@link DatagramServer} under the models that suit a datagram echo, and Netty's NIO datagram
 * channel with one event loop, each echoing every datagram to its sender.
 *
 * <p>Usage: {@code DatagramEchoServers NAME PORT}; prints {@code listening PORT}, serves until stdin closes.
 */
public final class DatagramEchoServers {

    /** The Java servers, in table order; the Python one is {@code python/udp_echo_server.py}. */
    static final List<String> NAMES = List.of("sync", "event-loop", "virtual", "netty-nio");

    private DatagramEchoServers() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        int port = Integer.parseInt(args[1]);
        if (name.equals("netty-nio")) {
            netty(port);
        } else {
            spindle(Model.of(name), port);
        }
    }

    private static void spindle(Model model, int port) throws IOException {
        if (model.name().equals("event-loop")) {
            model = model.withThreads(1); // one socket and thread, as Netty's one loop
        }
        try (DatagramServer server = DatagramServer.builder().bind("127.0.0.1", port).model(model)
                .handler(DatagramHandler.echo(false)).onError((peer, e) -> { }).open()) {
            server.start();
            System.out.println("listening " + server.port());
            System.out.flush();
            EchoServers.awaitStdinClosed();
        }
    }

    @ChannelHandler.Sharable
    private static final class NettyEcho extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ctx.write(new DatagramPacket(packet.content().retain(), packet.sender()));
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    private static void netty(int port) throws Exception {
        NioEventLoopGroup group = new NioEventLoopGroup(1);
        try {
            Channel channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                    .handler(new NettyEcho())
                    .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
            System.out.println("listening " + ((InetSocketAddress) channel.localAddress()).getPort());
            System.out.flush();
            EchoServers.awaitStdinClosed();
            channel.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
