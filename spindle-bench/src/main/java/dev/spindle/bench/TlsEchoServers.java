package dev.spindle.bench;

import dev.spindle.net.EchoProtocol;
import dev.spindle.net.Model;
import dev.spindle.net.StreamServer;
import dev.spindle.net.Tls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;

/**
 * The TLS echo servers the TLS benchmark compares, one per JVM, serving the same key from a
 * PKCS#12 file: Spindle's event-loop and virtual models with {@link Tls}, and Netty's echo with its
 * {@code SslHandler} on the JDK's provider, each with one I/O thread where the model has loops.
 *
 * <p>Usage: {@code TlsEchoServers NAME PORT KEYSTORE PASSWORD}; prints {@code listening PORT},
 * serves until stdin closes.
 */
public final class TlsEchoServers {

    static final List<String> NAMES = List.of("event-loop", "virtual", "netty-nio");

    private TlsEchoServers() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        int port = Integer.parseInt(args[1]);
        KeyManagerFactory keys = keys(Path.of(args[2]), args[3].toCharArray());
        if (name.equals("netty-nio")) {
            netty(port, SslContextBuilder.forServer(keys).sslProvider(SslProvider.JDK).build());
        } else {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            Model model = name.equals("event-loop") ? Model.eventLoop(1) : Model.of(name);
            try (StreamServer server = StreamServer.builder().bind("127.0.0.1", port).model(model)
                    .tls(Tls.server(context)).protocol(EchoProtocol::new).onError((peer, e) -> { }).open()) {
                server.start();
                System.out.println("listening " + server.port());
                System.out.flush();
                EchoServers.awaitStdinClosed();
            }
        }
    }

    static KeyManagerFactory keys(Path store, char[] password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, password);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(ks, password);
        return keys;
    }

    private static void netty(int port, SslContext ssl) throws Exception {
        NioEventLoopGroup boss = new NioEventLoopGroup(1);
        NioEventLoopGroup workers = new NioEventLoopGroup(1);
        try {
            EchoServers.NettyEcho echo = new EchoServers.NettyEcho();
            Channel channel = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024).childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc()), echo);
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
            System.out.println("listening " + ((InetSocketAddress) channel.localAddress()).getPort());
            System.out.flush();
            EchoServers.awaitStdinClosed();
            channel.close().sync();
        } finally {
            boss.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
