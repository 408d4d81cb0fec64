package dev.spindle.process.manager;

import dev.spindle.process.AuthenticationException;
import dev.spindle.process.JavaCommand;
import dev.spindle.process.queue.ProcessQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A manager served on TCP from this JVM, used by unrelated JVMs that hold its key. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RemoteManagerTest {

    private static final byte[] KEY = new byte[32];
    private static Manager served;
    private static InetSocketAddress address;

    @TempDir
    Path dir;

    @BeforeAll
    static void serveAManager() throws Exception {
        new SecureRandom().nextBytes(KEY);
        served = Manager.serve(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), KEY);
        address = served.address().orElseThrow();
    }

    @AfterAll
    static void stopServing() throws Exception {
        served.close();
        JavaCommand.noChildOutlivesTheTests();
    }

    @Test
    void anUnrelatedJvmWithTheKeySharesTheServedObjectsAndHandsThemToItsChild() throws Exception {
        ManagedMap<String, Object> results = served.dict();
        ProcessQueue<String> jobs = served.queue();
        served.shared().set("results", results);
        served.shared().set("jobs", jobs);
        jobs.put("job-1");
        Path keyFile = Files.write(dir.resolve("key"), KEY);
        java.lang.Process client = new ProcessBuilder(JavaCommand.of(RemoteManagerClient.class.getName(),
                address.getAddress().getHostAddress(), String.valueOf(address.getPort()), keyFile.toString()))
                .redirectErrorStream(true).start();
        try {
            String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(client.exitValue()).as(output).isZero();
            assertThat(results.get("job-1")).isEqualTo("done by " + client.pid());
            assertThat(results.get("child")).isEqualTo("ran");
        } finally {
            client.destroyForcibly().waitFor();
        }
    }

    @Test
    void theServingProcessUsesItsOwnObjectsAndAClientInThisJvmSeesThem() throws Exception {
        ManagedList<Integer> list = served.list();
        list.add(1);
        served.shared().set("list", list);
        try (Manager client = Manager.connect(address, KEY)) {
            @SuppressWarnings("unchecked")
            ManagedList<Integer> seen = (ManagedList<Integer>) client.shared().get("list");
            seen.add(2);
            assertThat(client.pid()).isEqualTo(ProcessHandle.current().pid());
        }
        assertThat(list).containsExactly(1, 2);
    }

    @Test
    void aWrongKeyIsRefusedAndNothingItSendsIsDecoded() throws Exception {
        byte[] wrong = KEY.clone();
        wrong[0] ^= 1;
        InetSocketAddress other = new InetSocketAddress("localhost", address.getPort());
        assertThatThrownBy(() -> Manager.connect(other, wrong)).isInstanceOf(AuthenticationException.class);

        Tripwire.tripped = false;
        ByteArrayOutputStream object = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(object)) {
            out.writeObject(new Tripwire());
        }
        try (Socket raw = new Socket(address.getAddress(), address.getPort())) {
            raw.setSoTimeout(60_000);
            OutputStream out = raw.getOutputStream();
            InputStream in = raw.getInputStream();
            try {
                for (int i = 0; i < 64; i++) {
                    out.write(object.toByteArray());
                }
                out.flush();
                while (in.read() >= 0) {
                    // the challenge, then the end: the server closes on the wrong answer
                }
            } catch (IOException closedOnUs) {
                // reset by the server: refused
            }
        }
        assertThat(Tripwire.tripped).isFalse();
        try (Manager client = Manager.connect(address, KEY)) {
            assertThat(client.dict()).isEmpty(); // still serving
        }
    }

    @Test
    void connectionsThatNeverProveTheKeyAreCappedThenClosedAndTheManagerServesOn() throws Exception {
        java.util.List<Socket> idle = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 64; i++) {
                Socket s = new Socket(address.getAddress(), address.getPort());
                s.setSoTimeout(60_000);
                idle.add(s);
            }
            try (Socket extra = new Socket(address.getAddress(), address.getPort())) {
                extra.setSoTimeout(60_000);
                assertThat(readToEnd(extra.getInputStream())).as("a connection past the cap gets nothing").isZero();
            }
            for (Socket s : idle) {
                readToEnd(s.getInputStream()); // the challenge, then the end: the hub gave up on it
            }
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
        try (Manager client = Manager.connect(address, KEY)) {
            assertThat(client.dict()).isEmpty();
        }
    }

    /** Reads until the other side closes (or resets); returns how many bytes came. */
    private static int readToEnd(InputStream in) {
        int n = 0;
        try {
            while (in.read() >= 0) {
                n++;
            }
        } catch (IOException reset) {
            // closed on us: the end
        }
        return n;
    }

    /** A class the default allow-list admits (it is Spindle's): decoding it would trip the wire. */
    static final class Tripwire implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
        static volatile boolean tripped;

        @Serial
        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            tripped = true;
        }
    }
}
