package dev.spindle.fory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spindle.process.Pipe;
import dev.spindle.process.PipeConnection;
import dev.spindle.process.Process;
import java.io.NotSerializableException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.fory.Fory;
import org.apache.fory.logging.LoggerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ForySerializer on real pipes between this JVM and child JVMs. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ForyAcrossProcessesTest {

    record Reading(int sensor, String unit) {
    }

    record Unregistered(String what) {
    }

    /** Says so in a system property when its class is initialized or an instance created. */
    static final class Tripwire {
        static {
            System.setProperty("dev.spindle.fory.tripwire.initialized", "yes");
        }

        int armed = 1;

        Tripwire() {
            System.setProperty("dev.spindle.fory.tripwire.constructed", "yes");
        }
    }

    @AfterAll
    static void noChildJvmOutlivesTheTests() throws Exception {
        for (ProcessHandle child : ProcessHandle.current().children().toList()) {
            child.onExit().get(30, TimeUnit.SECONDS);
        }
        assertThat(ProcessHandle.current().children().toList()).as("child JVMs left behind").isEmpty();
    }

    @Test
    void aChildThatCapturedAnEndDecodesARegisteredRecordAndSendsRecordsBack() throws Exception {
        Pipe pipe = Pipe.open(true, ForySerializer.registering(Reading.class));
        PipeConnection childEnd = pipe.right();
        try (PipeConnection parentEnd = pipe.left();
                Process<String> child = Process.callable(() -> {
                    try (childEnd) {
                        Reading asked = (Reading) childEnd.recv();
                        childEnd.send(new Reading(asked.sensor() + 1, asked.unit() + " from the child"));
                        childEnd.send(List.of(asked, new Reading(0, "°C")));
                        return "done";
                    }
                }).start()) {
            parentEnd.send(new Reading(41, "kPa"));
            assertThat(parentEnd.recv(Duration.ofSeconds(60))).isEqualTo(new Reading(42, "kPa from the child"));
            assertThat(parentEnd.recv(Duration.ofSeconds(60)))
                    .isEqualTo(List.of(new Reading(41, "kPa"), new Reading(0, "°C")));
            assertThat(child.result(Duration.ofSeconds(60))).isEqualTo("done");
            assertThat(child.exitCode()).hasValue(0);
        }
    }

    @Test
    void aChildCannotSendAClassThePipesSerializerDoesNotRegister() throws Exception {
        Pipe pipe = Pipe.open(true, ForySerializer.registering(Reading.class));
        PipeConnection childEnd = pipe.right();
        try (PipeConnection parentEnd = pipe.left();
                Process<String> child = Process.callable(() -> {
                    try (childEnd) {
                        try {
                            childEnd.send(new Unregistered("not on the list"));
                            return "sent";
                        } catch (NotSerializableException e) {
                            childEnd.send(new Reading(1, "still usable"));
                            return e.getMessage();
                        }
                    }
                }).start()) {
            assertThat(child.result(Duration.ofSeconds(60)))
                    .contains(Unregistered.class.getName() + " is not registered with this ForySerializer");
            assertThat(parentEnd.recv(Duration.ofSeconds(60))).isEqualTo(new Reading(1, "still usable"));
        }
    }

    @Test
    void aClassNamedByForeignBytesIsRefusedAndNeverInitializedInTheReceiver() throws Exception {
        // The bytes are made in a child, so that nothing in this JVM ever touches Tripwire.
        try (Process<byte[]> child = Process.callable(() -> {
            LoggerFactory.disableLogging(); // Fory's logger would print on the parent's standard output
            return Fory.builder().requireClassRegistration(false).suppressClassRegistrationWarnings(true).build()
                    .serialize(new Tripwire());
        }).start()) {
            byte[] forged = child.result(Duration.ofSeconds(60));

            assertThatThrownBy(() -> ForySerializer.registering(Reading.class).decode(forged))
                    .isInstanceOf(ClassNotRegisteredException.class)
                    .hasMessageStartingWith(ForyAcrossProcessesTest.class.getName() + "$Tripwire is not registered");
        }
        assertThat(System.getProperty("dev.spindle.fory.tripwire.initialized")).isNull();
        assertThat(System.getProperty("dev.spindle.fory.tripwire.constructed")).isNull();
    }
}
