package dev.spindle.cli;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;

/**
 * Keys and certificates for {@code serve --tls} and {@code client --tls}, with BouncyCastle for
 * what the JDK has no public API for: reading PEM files ({@code openssl}'s format) and making a
 * self-signed certificate. The JDK does the cryptography; BouncyCastle is not installed as a provider.
 */
final class TlsMaterial {

    private static final char[] IN_MEMORY = new char[0];

    /** A key and its certificate chain. */
    record Identity(PrivateKey key, List<X509Certificate> chain) {

        /** A context that serves this identity. */
        SSLContext serverContext() throws GeneralSecurityException, IOException {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, IN_MEMORY, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, IN_MEMORY);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        }

        /** The SHA-256 fingerprint of the certificate, as {@code openssl x509 -fingerprint -sha256} prints it. */
        String fingerprint() throws GeneralSecurityException {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(chain.getFirst().getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        }

        /** Writes the certificate (not the key) as PEM, for clients to trust with {@code --ca}. */
        void writeCertificate(Path file) throws IOException {
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
                 JcaPEMWriter pem = new JcaPEMWriter(out)) {
                for (X509Certificate certificate : chain) {
                    pem.writeObject(certificate);
                }
            }
        }

        /** Writes the key as PKCS#8 PEM, unencrypted, readable by its owner only. */
        void writeKey(Path file) throws IOException {
            Files.deleteIfExists(file);
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
                 JcaPEMWriter pem = new JcaPEMWriter(out)) {
                pem.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null));
            }
        }
    }

    private TlsMaterial() {
    }

    /**
     * A new EC P-256 key and a self-signed certificate naming {@code hosts} (names or addresses),
     * valid from an hour ago for {@code validity}.
     */
    static Identity selfSigned(List<String> hosts, Duration validity) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        X500Name subject = new X500Name("CN=" + hosts.getFirst() + ", O=spindle serve (self-signed)");
        Instant now = Instant.now();
        List<GeneralName> names = new ArrayList<>();
        for (String host : hosts) {
            names.add(isAddress(host) ? new GeneralName(GeneralName.iPAddress, host)
                    : new GeneralName(GeneralName.dNSName, host));
        }
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(validity)), subject, pair.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(names.toArray(GeneralName[]::new)));
            X509CertificateHolder holder = builder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
            return new Identity(pair.getPrivate(), List.of(new JcaX509CertificateConverter().getCertificate(holder)));
        } catch (OperatorCreationException | IOException e) {
            throw new GeneralSecurityException("could not make a self-signed certificate: " + e.getMessage(), e);
        }
    }

    private static boolean isAddress(String host) {
        return host.matches("[0-9.]+") || host.contains(":");
    }

    /**
     * The key in {@code keyFile} and the certificate chain in {@code certFile}, both PEM.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    static Identity fromPem(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = certificates(certFile);
        PrivateKey key = null;
        try (Reader in = Files.newBufferedReader(keyFile, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(in)) {
            Object item;
            while (key == null && (item = parser.readObject()) != null) {
                JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
                if (item instanceof PEMKeyPair pair) {
                    key = converter.getPrivateKey(pair.getPrivateKeyInfo());
                } else if (item instanceof PrivateKeyInfo info) {
                    key = converter.getPrivateKey(info);
                } else if (item instanceof PEMEncryptedKeyPair || item instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new IllegalArgumentException(keyFile + " holds an encrypted key; decrypt it first "
                            + "(openssl pkey -in " + keyFile + " -out key.pem)");
                }
            }
        }
        if (key == null) {
            throw new IllegalArgumentException(keyFile + " holds no private key in PEM form "
                    + "(-----BEGIN PRIVATE KEY----- or -----BEGIN EC/RSA PRIVATE KEY-----)");
        }
        return new Identity(key, chain);
    }

    /**
     * The certificates in a PEM file.
     *
     * @throws IllegalArgumentException naming the file, when it holds none
     */
    static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        List<X509Certificate> found = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser parser = new PEMParser(in)) {
            Object item;
            while ((item = parser.readObject()) != null) {
                if (item instanceof X509CertificateHolder holder) {
                    found.add(new JcaX509CertificateConverter().getCertificate(holder));
                }
            }
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no certificate in PEM form (-----BEGIN CERTIFICATE-----)");
        }
        return found;
    }

    /** A client's context trusting the certificates in {@code caFile} only. */
    static SSLContext trusting(Path caFile) throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (X509Certificate certificate : certificates(caFile)) {
            trust.setCertificateEntry("ca-" + i++, certificate);
        }
        TrustManagerFactory trusts = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trusts.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trusts.getTrustManagers(), null);
        return context;
    }

    /**
     * A client's context that trusts any certificate: {@code --insecure}, for a server's
     * self-signed certificate whose fingerprint the user checks by eye. Encrypts, but does not
     * know whom it talks to.
     */
    static SSLContext trustingAnything() throws GeneralSecurityException {
        TrustManager anything = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {anything}, null);
        return context;
    }
}
