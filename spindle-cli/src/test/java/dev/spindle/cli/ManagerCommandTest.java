package dev.spindle.cli;

import dev.spindle.process.AuthenticationException;
import dev.spindle.process.manager.ManagedMap;
import dev.spindle.process.manager.Manager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code spindle manager serve} and {@code new-key}, run as a user runs them. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ManagerCommandTest {

    @TempDir
    Path dir;

    private static int run(StringWriter out, StringWriter err, String... args) {
        var cli = Spindle.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void newKeyWritesThirtyTwoPrivateBytesAndNeverOverwrites() throws Exception {
        Path key = dir.resolve("manager.key");
        assertThat(run(new StringWriter(), new StringWriter(), "manager", "new-key", key.toString())).isZero();
        assertThat(Files.size(key)).isEqualTo(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        byte[] first = Files.readAllBytes(key);
        StringWriter err = new StringWriter();
        assertThat(run(new StringWriter(), err, "manager", "new-key", key.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("exists already");
        assertThat(Files.readAllBytes(key)).isEqualTo(first);
    }

    @Test
    void aKeyFileOthersMayReadOrThatIsShortIsRefusedSayingWhatToDo() throws Exception {
        Path open = Files.write(dir.resolve("open.key"), new byte[32]);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        StringWriter err = new StringWriter();
        assertThat(run(new StringWriter(), err, "manager", "serve", "--port", "0", "--key-file", open.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("may be read by others").contains("chmod 600 " + open);

        Path shortKey = Files.write(dir.resolve("short.key"), new byte[8]);
        Files.setPosixFilePermissions(shortKey, PosixFilePermissions.fromString("rw-------"));
        err = new StringWriter();
        assertThat(run(new StringWriter(), err, "manager", "serve", "--port", "0", "--key-file", shortKey.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("holds 8 bytes").contains("at least 16");
    }

    @Test
    void aServedManagerIsReachedWithTheKeyAndRefusesAnotherThenStopsOnSigterm() throws Exception {
        Path key = dir.resolve("manager.key");
        assertThat(run(new StringWriter(), new StringWriter(), "manager", "new-key", key.toString())).isZero();
        try (SpindleProcess served = new SpindleProcess("manager", "serve", "--port", "0", "--key-file",
                key.toString())) {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), served.awaitPort());
            try (Manager manager = Manager.connect(address, Files.readAllBytes(key))) {
                ManagedMap<String, Integer> d = manager.dict();
                d.put("a", 1);
                manager.shared().set("d", d);
                assertThat(manager.shared().get("d")).isEqualTo(d);
                assertThat(manager.pid()).isNotEqualTo(ProcessHandle.current().pid());
            }
            assertThatThrownBy(() -> Manager.connect(address, new byte[32]))
                    .isInstanceOf(AuthenticationException.class);
            assertThat(served.terminate()).isZero();
            assertThat(served.output()).contains("spindle manager: stopped");
        }
    }
}
