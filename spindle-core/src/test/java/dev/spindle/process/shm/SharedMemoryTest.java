package dev.spindle.process.shm;

import dev.spindle.process.JavaCommand;
import dev.spindle.process.Process;
import dev.spindle.process.wire.Run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Named blocks: private, attached by name from anywhere, and gone with their run, however it ends. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharedMemoryTest {

    private final List<String> names = new ArrayList<>();

    private String name() {
        String name = "spindle-test-" + UUID.randomUUID();
        names.add(name);
        return name;
    }

    private static Path file(String name) {
        return SharedMemory.directory().resolve(name);
    }

    @AfterEach
    void noBlockOfTheTestIsLeft() throws Exception {
        for (String name : names) {
            Files.deleteIfExists(file(name)); // what a failed test left: the tests themselves check what must be gone
        }
        names.clear();
    }

    @AfterAll
    static void noChildOutlivesTheTests() throws Exception {
        JavaCommand.noChildOutlivesTheTests();
    }

    private static java.lang.Process program(String... args) throws Exception {
        return new ProcessBuilder(JavaCommand.of(ShmProgram.class.getName(), args)).redirectErrorStream(true).start();
    }

    private static String finish(java.lang.Process program) throws Exception {
        String output = new String(program.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(program.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
        assertThat(program.exitValue()).as(output).isZero();
        return output;
    }

    @Test
    void aBlockIsAFileOnlyItsOwnerMayOpenAndItsNameIsItsOwn() throws Exception {
        String name = name();
        try (SharedMemory block = SharedMemory.create(name, 100)) {
            assertThat(block.size()).isEqualTo(100);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file(name)))).isEqualTo("rw-------");
            assertThatThrownBy(() -> SharedMemory.create(name, 10)).isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("exists already").hasMessageContaining("attach");
            block.unlink();
        }
        assertThat(file(name)).doesNotExist();
        assertThatThrownBy(() -> SharedMemory.attach(name)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("no shared memory block named").hasCauseInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> SharedMemory.create("../etc", 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("A-Z a-z 0-9");
        assertThatThrownBy(() -> SharedMemory.create(name(), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void whatAChildWritesTheParentReadsThroughItsOwnMappingAndAClosedBlockRefusesUse() throws Exception {
        SharedMemory block = SharedMemory.create(name(), 4096);
        try (Process<Void> child = Process.target(() -> block.buffer().putLong(8, 99)).start()) {
            child.join();
        }
        assertThat(block.buffer().getLong(8)).isEqualTo(99);
        block.close();
        assertThatThrownBy(block::buffer).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        block.unlink();
    }

    @Test
    void anUnrelatedJvmAttachesByNameAndNeverUnlinksWhatItDidNotCreate() throws Exception {
        String name = name();
        try (SharedMemory block = SharedMemory.create(name, 64)) {
            block.buffer().putLong(0, 5);
            finish(program("attach", name));
            assertThat(file(name)).exists();
            assertThat(block.buffer().getLong(0)).isEqualTo(6);
            block.unlink();
        }
    }

    @Test
    void aPersistentBlockOutlivesItsRunUntilUnlinked() throws Exception {
        String name = name();
        finish(program("persistent", name));
        assertThat(file(name)).exists();
        try (SharedMemory block = SharedMemory.attach(name)) {
            assertThat(block.buffer().getLong(0)).isEqualTo(7);
            block.unlink();
        }
        assertThat(file(name)).doesNotExist();
    }

    @Test
    void aRunsBlocksOutliveAKilledCreatorAndAKilledAttacherAndGoWhenTheRunEnds() throws Exception {
        String mine = name();
        String theirs = name();
        String output = finish(program("killed", mine, theirs));
        assertThat(output).contains("after the kill: mine=1 theirs=42");
        assertThat(file(mine)).doesNotExist();
        assertThat(file(theirs)).doesNotExist();
    }

    @Test
    void theBlocksOfARunWhoseEveryProcessWasKilledGoWhenTheNextRunStarts() throws Exception {
        String name = name();
        java.lang.Process holder = program("hold", name);
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(lines.readLine()).isEqualTo("ready");
            holder.destroyForcibly();
            assertThat(holder.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(file(name)).exists();
            Run.removeAbandonedRuns(Run.socketRoot()); // what the next root run does first
            assertThat(file(name)).doesNotExist();
        } finally {
            holder.destroyForcibly().waitFor();
        }
    }
}
