package dev.spindle.net;

import java.net.SocketAddress;
import java.util.ServiceLoader;

/** Finds the {@link UnixDatagramProvider} on the class or module path, once. */
final class UnixDatagrams {

    private static final UnixDatagramProvider PROVIDER = ServiceLoader.load(UnixDatagramProvider.class,
            UnixDatagrams.class.getClassLoader()).findFirst().orElse(null);

    private UnixDatagrams() {
    }

    /**
     * The provider.
     *
     * @throws UnsupportedOperationException naming the module to add, when there is none
     */
    static UnixDatagramProvider provider() {
        if (PROVIDER == null) {
            throw new UnsupportedOperationException("Unix-domain datagrams need the spindle-unixgram module "
                    + "(dev.spindle:spindle-unixgram, over junixsocket) on the class or module path: "
                    + "the JDK has no Unix datagram socket");
        }
        return PROVIDER;
    }

    /** Whether {@code address} is a Unix-domain datagram address of the provider's; false when there is none. */
    static boolean isUnix(SocketAddress address) {
        return PROVIDER != null && PROVIDER.handles(address);
    }
}
