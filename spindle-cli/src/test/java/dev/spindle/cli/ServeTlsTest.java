package dev.spindle.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
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

    /** Runs {@code spindle ...} in this JVM: its exit code, what it printed, and what it complained of. */
    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Spindle.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void aSelfSignedServerPrintsItsFingerprintAndAnInsecureClientTalksToIt() throws Exception {
        try (SpindleProcess serve = new SpindleProcess("serve", "--tls", "--port", "0")) {
            int port = serve.awaitPort();
            serve.awaitOutput("SHA-256 fingerprint");
            assertThat(serve.output()).containsPattern("self-signed certificate for \\[127.0.0.1, localhost, ::1\\]; "
                    + "SHA-256 fingerprint ([0-9A-F]{2}:){31}[0-9A-F]{2}");
            Run insecure = run("client", "--tls", "--insecure", "--port", String.valueOf(port), "--send", "over tls");
            assertThat(insecure.exit()).as(insecure.err()).isZero();
            assertThat(insecure.out()).isEqualTo("over tls\n");
            assertThat(insecure.err()).contains("not authenticated");
            Run untrusted = run("client", "--tls", "--port", String.valueOf(port), "--send", "x");
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
            Run trusted = run("client", "--ca", cert.toString(), "--host", "localhost", "--port", String.valueOf(port),
                    "--send", "verified");
            assertThat(trusted.exit()).as(trusted.err()).isZero();
            assertThat(trusted.out()).isEqualTo("VERIFIED\n");
            Run wrongName = run("client", "--ca", cert.toString(), "--host", "127.0.0.1", "--port", String.valueOf(port),
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
        assertThat(run("serve", "--cert", cert.toString()).err()).contains("give both --cert and --key");
        assertThat(run("serve", "--cert", cert.toString(), "--key", notAKey.toString()).err())
                .contains(notAKey + " holds no private key");
        assertThat(run("serve", "--tls", "--transport", "udp").err()).contains("--tls is for streams");
        assertThat(run("client", "--insecure", "--ca", cert.toString()).err()).contains("give one");
        assertThat(run("client", "--tls", "--udp").err()).contains("DTLS");
        assertThat(run("client", "--ca", notAKey.toString()).err()).contains(notAKey + " holds no certificate");
        assertThat(Arrays.asList(run("serve", "--help").out().split("\n"))).anyMatch(l -> l.contains("--tls"));
    }
}
