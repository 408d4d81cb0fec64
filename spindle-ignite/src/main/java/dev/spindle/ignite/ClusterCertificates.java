package dev.spindle.ignite;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A cluster's certificate authority and the certificates it issues, in a directory of its own
 * ({@code spindle cluster init DIR}): only a JVM with a certificate from this authority joins.
 *
 * <pre>
 * DIR/ca.p12        the authority's key: keep it off the nodes; it issues more certificates
 * DIR/trust.p12     the authority's certificate: what every member trusts
 * DIR/NAME.p12      one member's key and certificate (node-1, node-2, ..., client)
 * DIR/password      the stores' password (readable by its owner only)
 * </pre>
 *
 * <p>Keys are EC P-256, certificates valid for ten years; the JDK does the cryptography and
 * BouncyCastle builds the certificates.
 */
public final class ClusterCertificates {

    static final String CA = "ca";
    static final String TRUST = "trust";
    private static final String PASSWORD = "password";
    private static final Duration VALIDITY = Duration.ofDays(3650);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private ClusterCertificates() {
    }

    /**
     * Makes a new authority in {@code dir} (created, readable by its owner only) and a certificate
     * for each of {@code members}.
     *
     * @throws FileAlreadyExistsException when {@code dir} already holds an authority: a second one
     *                                    would lock the first one's members out
     */
    public static void init(Path dir, List<String> members) throws IOException, GeneralSecurityException {
        if (Files.exists(dir.resolve(CA + ".p12"))) {
            throw new FileAlreadyExistsException(dir.resolve(CA + ".p12").toString(), null,
                    "this directory already holds a cluster authority; use it, or choose an empty directory");
        }
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        writePrivate(dir.resolve(PASSWORD), Base64.getUrlEncoder().withoutPadding().encodeToString(secret)
                .getBytes(StandardCharsets.US_ASCII));
        char[] password = password(dir);
        KeyPair ca = newKeyPair();
        X500Name caName = new X500Name("CN=spindle cluster authority " + Instant.now().getEpochSecond());
        X509Certificate caCert = certificate(caName, caName, ca.getPublic(), ca.getPrivate(), true);
        store(dir.resolve(CA + ".p12"), password, CA, ca.getPrivate(), caCert);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry(CA, caCert);
        save(trust, dir.resolve(TRUST + ".p12"), password);
        for (String member : members) {
            issue(dir, member);
        }
    }

    /**
     * A new key and certificate for {@code member}, from the authority in {@code dir}.
     *
     * @throws IllegalArgumentException when the name is not a plain name, or it already has one
     */
    public static Path issue(Path dir, String member) throws IOException, GeneralSecurityException {
        if (!NAME.matcher(member).matches() || member.equals(CA) || member.equals(TRUST)) {
            throw new IllegalArgumentException("'" + member + "' cannot name a member: use letters, digits, '.', '_' "
                    + "and '-' (not 'ca' or 'trust')");
        }
        Path file = dir.resolve(member + ".p12");
        if (Files.exists(file)) {
            throw new IllegalArgumentException(file + " exists: " + member + " already has a certificate");
        }
        char[] password = password(dir);
        KeyStore caStore = load(dir.resolve(CA + ".p12"), password);
        PrivateKey caKey = (PrivateKey) caStore.getKey(CA, password);
        X509Certificate caCert = (X509Certificate) caStore.getCertificate(CA);
        KeyPair pair = newKeyPair();
        X509Certificate cert = certificate(new X500Name("CN=" + member + ", O=spindle cluster"),
                X500Name.getInstance(caCert.getSubjectX500Principal().getEncoded()), pair.getPublic(), caKey, false);
        store(file, password, member, pair.getPrivate(), cert, caCert);
        return file;
    }

    /** The stores' password, from {@code dir/password}. */
    static char[] password(Path dir) throws IOException {
        Path file = dir.resolve(PASSWORD);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dir + " is not a cluster directory (it has no password file): "
                    + "make one with 'spindle cluster init " + dir + "'");
        }
        return Files.readString(file, StandardCharsets.US_ASCII).strip().toCharArray();
    }

    /**
     * {@code member}'s key store in {@code dir}.
     *
     * @throws IllegalArgumentException naming what is missing and how to make it
     */
    static Path keyStore(Path dir, String member) {
        Path file = dir.resolve(member + ".p12");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no certificate for '" + member + "' in " + dir + ": issue one with "
                    + "'spindle cluster init' (or ClusterCertificates.issue) from the cluster's authority");
        }
        return file;
    }

    static Path trustStore(Path dir) {
        return keyStore(dir, TRUST);
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate certificate(X500Name subject, X500Name issuer, java.security.PublicKey key,
                                               PrivateKey signer, boolean authority) throws GeneralSecurityException {
        Instant now = Instant.now();
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(VALIDITY)), subject, key);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
            if (authority) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                // Every member is a TLS server to some and a client of others.
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            }
            X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer));
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (OperatorCreationException | IOException e) {
            throw new GeneralSecurityException("could not make a certificate for " + subject + ": " + e.getMessage(), e);
        }
    }

    private static void store(Path file, char[] password, String alias, PrivateKey key, Certificate... chain)
            throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(alias, key, password, chain);
        save(store, file, password);
    }

    private static void save(KeyStore store, Path file, char[] password) throws IOException, GeneralSecurityException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        store.store(bytes, password);
        writePrivate(file, bytes.toByteArray());
    }

    private static KeyStore load(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password);
        }
        return store;
    }

    /** Writes a file only its owner may read: keys and the password. */
    private static void writePrivate(Path file, byte[] content) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(content);
        }
    }
}
