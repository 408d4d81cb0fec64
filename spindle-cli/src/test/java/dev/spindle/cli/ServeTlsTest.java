package dev.spindle.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code spindle serve --tls} and {@code spindle client --tls}, run as a user runs them. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServeTlsTest {

    @TempDir
    Path dir;

    @Test
    void aSelfSignedServerPrintsItsFingerprintAndAnInsecureClientTalksToIt() throws Exception {
        try (SpindleProcess serve = new SpindleProcess("serve", "--tls", "--port", "0")) {
            int port = serve.awaitPort();
            serve.awaitOutput("SHA-256 fingerprint");
            assertThat(serve.output()).containsPattern("self-signed certificate for \\[127.0.0.1, localhost, ::1\\]; "
                    + "SHA-256 fingerprint ([0-9A-F]{2}:){31}[0-9A-F]{2}");
            CliRun insecure = CliRun.of("client", "--tls", "--insecure", "--port", String.valueOf(port), "--send", "over tls");
            assertThat(insecure.exit()).as(insecure.err()).isZero();
            assertThat(insecure.out()).isEqualTo("over tls\n");
            assertThat(insecure.err()).contains("not authenticated");
            CliRun untrusted = CliRun.of("client", "--tls", "--port", String.valueOf(port), "--send", "x");
            assertThat(untrusted.exit()).isEqualTo(1);
            assertThat(untrusted.err()).contains("TLS handshake with 127.0.0.1:" + port + " failed")
                    .contains("give --ca FILE");
            assertThat(serve.terminate()).isZero();
            assertThat(serve.output()).contains("errors=1").as("the untrusting client's handshake failed, counted");
        }
    }

    @Test
    void aServerGivenPemFilesIsTrustedByAClientGivenItsCertificate() throws Exception {
        TlsMaterial.Identity identity = TlsMaterial.selfSigned(List.of("localhost"), Duration.ofDays(1));
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        identity.writeCertificate(cert);
        identity.writeKey(key);
        try (SpindleProcess serve = new SpindleProcess("serve", "--cert", cert.toString(), "--key", key.toString(),
                "--port", "0", "--mode", "upper", "--model", "event-loop")) {
            int port = serve.awaitPort();
            serve.awaitOutput("SHA-256 fingerprint " + identity.fingerprint());
            CliRun trusted = CliRun.of("client", "--ca", cert.toString(), "--host", "localhost", "--port", String.valueOf(port),
                    "--send", "verified");
            assertThat(trusted.exit()).as(trusted.err()).isZero();
            assertThat(trusted.out()).isEqualTo("VERIFIED\n");
            CliRun wrongName = CliRun.of("client", "--ca", cert.toString(), "--host", "127.0.0.1", "--port", String.valueOf(port),
                    "--send", "x");
            assertThat(wrongName.exit()).as("the certificate names localhost, not 127.0.0.1").isEqualTo(1);
            assertThat(wrongName.err()).contains("127.0.0.1");
            assertThat(serve.terminate()).isZero();
        }
    }

    @Test
    void tlsOptionsThatCannotWorkAreUsageErrorsThatSayWhy() throws Exception {
        Path notAKey = dir.resolve("empty.pem");
        Files.writeString(notAKey, "nothing here\n");
        TlsMaterial.Identity identity = TlsMaterial.selfSigned(List.of("localhost"), Duration.ofDays(1));
        Path cert = dir.resolve("cert.pem");
        identity.writeCertificate(cert);
        assertThat(CliRun.of("serve", "--cert", cert.toString()).err()).contains("give both --cert and --key");
        assertThat(CliRun.of("serve", "--cert", cert.toString(), "--key", notAKey.toString()).err())
                .contains(notAKey + " holds no private key");
        assertThat(CliRun.of("serve", "--tls", "--transport", "udp").err()).contains("--tls is for streams");
        assertThat(CliRun.of("client", "--insecure", "--ca", cert.toString()).err()).contains("give one");
        assertThat(CliRun.of("client", "--tls", "--udp").err()).contains("DTLS");
        assertThat(CliRun.of("client", "--ca", notAKey.toString()).err()).contains(notAKey + " holds no certificate");
        assertThat(Arrays.asList(CliRun.of("serve", "--help").out().split("\n"))).anyMatch(l -> l.contains("--tls"));
    }
}
