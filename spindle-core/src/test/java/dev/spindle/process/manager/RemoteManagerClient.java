package dev.spindle.process.manager;

import dev.spindle.process.Process;
import dev.spindle.process.queue.ProcessQueue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An unrelated program that uses a served manager: {@code host port keyFile}. Takes one job from
 * the shared "jobs" queue, records it as done in the shared "results" dict, and has a child of its
 * own (captured proxy, so the child needs the key its parent hands it) record that it ran.
 */
public final class RemoteManagerClient {

    public static void main(String[] args) throws Exception {
        InetSocketAddress address = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        try (Manager manager = Manager.connect(address, Files.readAllBytes(Path.of(args[2])))) {
            @SuppressWarnings("unchecked")
            ManagedMap<String, Object> results = (ManagedMap<String, Object>) manager.shared().get("results");
            @SuppressWarnings("unchecked")
            ProcessQueue<String> jobs = (ProcessQueue<String>) manager.shared().get("jobs");
            String job = jobs.poll(Duration.ofSeconds(60));
            results.put(job, "done by " + ProcessHandle.current().pid());
            try (Process<Void> child = Process.target(() -> results.put("child", "ran")).start()) {
                child.join();
                if (child.exitCode().orElse(-1) != 0) {
                    System.out.println("the child failed: " + child.exception().map(Throwable::getMessage).orElse("?"));
                    System.exit(3);
                }
            }
            System.out.println("client done");
        }
    }
}
