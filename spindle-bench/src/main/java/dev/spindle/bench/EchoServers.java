package dev.spindle.bench;

import dev.spindle.net.EchoProtocol;
import dev.spindle.net.Model;
import dev.spindle.net.StreamServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The servers the end-to-end benchmark compares, one per process: every Spindle model running the
 * same {@link EchoProtocol}, and Netty's canonical echo server on NIO and on native epoll, each
 * with one I/O thread (the benchmark pins the server to one CPU).
 *
 * <p>Usage: {@code EchoServers NAME PORT}; prints {@code listening PORT}, serves until stdin closes.
 */
public final class EchoServers {

    /** The names the runner may start, in table order. */
    static final List<String> NAMES = List.of("thread", "virtual", "event-loop", "async", "netty-nio", "netty-epoll");

    private EchoServers() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        int port = Integer.parseInt(args[1]);
        if (name.startsWith("netty")) {
            netty(name.equals("netty-epoll"), port);
        } else {
            spindle(name, port);
        }
    }

    private static void spindle(String name, int port) throws IOException {
        Model model = switch (name) {
            case "thread" -> Model.THREAD;
            case "virtual" -> Model.VIRTUAL;
            case "event-loop" -> Model.eventLoop(1);
            case "async" -> Model.ASYNC;
            default -> throw new IllegalArgumentException("unknown server " + name + "; choose from " + NAMES);
        };
        try (StreamServer server = StreamServer.builder().bind("127.0.0.1", port).model(model)
                .protocol(EchoProtocol::new).onError((peer, e) -> { }).open()) {
            server.start();
            System.out.println("listening " + server.port());
            System.out.flush();
            awaitStdinClosed();
        }
    }

    /** Netty's canonical echo handler; the TLS benchmark puts it behind an {@code SslHandler}. */
    @ChannelHandler.Sharable
    static final class NettyEcho extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static void netty(boolean epoll, int port) throws Exception {
        EventLoopGroup boss = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        EventLoopGroup workers = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        try {
            NettyEcho echo = new NettyEcho();
            Channel channel = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(echo);
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
            System.out.println("listening " + ((InetSocketAddress) channel.localAddress()).getPort());
            System.out.flush();
            awaitStdinClosed();
            channel.close().sync();
        } finally {
            boss.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** Serves until the runner closes this process's stdin: how every benchmark server is stopped. */
    static void awaitStdinClosed() throws IOException {
        while (System.in.read() >= 0) {
            // serve until the runner closes our stdin
        }
    }
}
