package dev.spindle.process.shm;

import dev.spindle.process.Process;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Programs of their own (each a new run) for the lifecycle tests: {@code mode name [name2]}.
 * <ul>
 *   <li>{@code attach NAME}: attaches a block by name, adds 1 to its first long, exits.</li>
 *   <li>{@code persistent NAME}: creates a persistent block holding 7, exits.</li>
 *   <li>{@code killed NAME1 NAME2}: creates NAME1, starts a child that creates NAME2 (holding 42)
 *   and attaches NAME1 (adding 1), SIGKILLs the child, then prints what both blocks hold and
 *   exits normally.</li>
 *   <li>{@code hold NAME}: creates NAME, prints "ready" and waits to be killed.</li>
 * </ul>
 */
public final class ShmProgram {

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "attach" -> {
                try (SharedMemory block = SharedMemory.attach(args[1])) {
                    block.buffer().putLong(0, block.buffer().getLong(0) + 1);
                }
            }
            case "persistent" -> SharedMemory.create(args[1], 64, true).buffer().putLong(0, 7);
            case "killed" -> {
                SharedMemory mine = SharedMemory.create(args[1], 64);
                String other = args[2];
                String signal = Files.createTempFile("shm-child-", ".ready").toString();
                Files.delete(Path.of(signal));
                Process<Void> child = Process.target(() -> {
                    SharedMemory.create(other, 64).buffer().putLong(0, 42);
                    SharedMemory parent = SharedMemory.attach(mine.name());
                    parent.buffer().putLong(0, parent.buffer().getLong(0) + 1);
                    Files.writeString(Path.of(signal), "x");
                    Thread.sleep(600_000);
                }).start();
                while (!Files.exists(Path.of(signal))) {
                    Thread.sleep(10);
                }
                Files.delete(Path.of(signal));
                child.kill();
                child.join();
                try (SharedMemory theirs = SharedMemory.attach(other)) {
                    System.out.println("after the kill: mine=" + mine.buffer().getLong(0) + " theirs="
                            + theirs.buffer().getLong(0));
                }
                child.close();
            }
            case "hold" -> {
                SharedMemory.create(args[1], 64);
                System.out.println("ready");
                System.out.flush();
                Thread.sleep(600_000);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
