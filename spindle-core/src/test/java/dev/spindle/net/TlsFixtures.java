package dev.spindle.net;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real certificates for TLS tests, made by the JDK's own {@code keytool}: a key and self-signed
 * certificate in a PKCS#12 file, and SSL contexts that serve it or trust it.
 */
final class TlsFixtures {

    private static final char[] PASSWORD = "spindle-test".toCharArray();

    private final Path keyStore;

    private TlsFixtures(Path keyStore) {
        this.keyStore = keyStore;
    }

    /**
     * A key and certificate for {@code names} (subject alternative names such as
     * {@code dns:localhost,ip:127.0.0.1}), in {@code dir}.
     */
    static TlsFixtures make(Path dir, String file, String names) throws Exception {
        Path store = dir.resolve(file);
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=spindle test", "-ext", "SAN=" + names,
                "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", new String(PASSWORD)).redirectErrorStream(true).start();
        String output;
        try (InputStream out = p.getInputStream()) {
            output = new String(out.readAllBytes());
        }
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("keytool failed: " + output);
        }
        return new TlsFixtures(store);
    }

    private KeyStore load() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    /** A context that serves this certificate. */
    SSLContext serverContext() throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(load(), PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    /** A context that trusts this certificate and nothing else. */
    SSLContext clientContext() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", load().getCertificate("server"));
        TrustManagerFactory trusts = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trusts.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trusts.getTrustManagers(), null);
        return context;
    }

    /** The TLS versions every test runs with. */
    static List<String> versions() {
        return List.of("TLSv1.3", "TLSv1.2");
    }
}
