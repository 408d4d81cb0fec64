package dev.spindle.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code spindle serve}'s network settings, run as a user runs them. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServeCommandNetTest {

    private static String usageError(String... args) {
        StringWriter err = new StringWriter();
        var cli = Spindle.commandLine();
        cli.setErr(new PrintWriter(err, true));
        assertThat(cli.execute(args)).as("exit code of " + Arrays.toString(args)).isEqualTo(2);
        return err.toString();
    }

    @Test
    void aBadInputBudgetIsAUsageErrorThatSaysWhatToWrite() {
        assertThat(usageError("serve", "--input-budget", "lots")).contains("--input-budget")
                .contains("'lots' is not a size").contains("64m");
        assertThat(usageError("serve", "--input-budget", "0")).contains("'0' must be a positive size");
        assertThat(usageError("serve", "--input-budget", "-1m")).contains("'-1m' must be a positive size");
    }

    @Test
    void aUnixSocketInAMissingDirectoryIsARuntimeErrorNamingThePathAndWhatToDo(@TempDir Path tmp) {
        Path socket = tmp.resolve("nonexistent").resolve("s.sock");
        StringWriter err = new StringWriter();
        var cli = Spindle.commandLine();
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(new StringWriter(), true));
        assertThat(cli.execute("serve", "--unix", socket.toString())).as("exit code").isEqualTo(1);
        assertThat(err.toString()).contains("cannot listen on " + socket + ": No such file or directory")
                .contains("create the directory " + tmp.resolve("nonexistent") + " first");
    }

    /** One length-prefixed frame: struct.pack('<i', n) + payload. */
    private static byte[] frame(int declared, int bodyBytes) {
        return ByteBuffer.allocate(4 + bodyBytes).order(ByteOrder.LITTLE_ENDIAN).putInt(declared)
                .put(new byte[bodyBytes]).array();
    }

    @Test
    void aConnectionPastTheInputBudgetIsClosedAndLoggedAndTheServerGoesOn() throws Exception {
        try (SpindleProcess serve = new SpindleProcess("serve", "--port", "0", "--framing", "length4le",
                "--input-budget", "1m")) {
            int port = serve.awaitPort();
            try (Socket hog = new Socket(InetAddress.getLoopbackAddress(), port)) {
                hog.setSoTimeout(20_000);
                try {
                    hog.getOutputStream().write(frame(4 << 20, 2 << 20)); // 2 MiB of a 4 MiB frame
                    assertThat(hog.getInputStream().read()).as("end of stream").isEqualTo(-1);
                } catch (IOException reset) {
                    // closed under the write, or with the rest unread: either way, refused
                }
            }
            try (Socket good = new Socket(InetAddress.getLoopbackAddress(), port)) {
                good.setSoTimeout(20_000);
                byte[] request = frame(512 * 1024, 512 * 1024);
                request[4] = 42;
                OutputStream out = good.getOutputStream();
                out.write(request);
                InputStream in = good.getInputStream();
                assertThat(in.readNBytes(request.length)).as("the echoed frame").isEqualTo(request);
            }
            assertThat(serve.terminate()).isZero();
            assertThat(serve.output())
                    .contains("InputBudgetExceededException")
                    .contains("input budget of 1048576 bytes")
                    .contains("--input-budget")
                    .contains("errors=1")
                    .contains("bufferedInput=0");
        }
    }
}
