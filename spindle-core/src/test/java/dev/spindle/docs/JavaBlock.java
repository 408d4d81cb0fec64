package dev.spindle.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code ```java} block of a Markdown page: its lines as written, and where it stands.
 *
 * @param page      the page's name as a reader sees it, {@code README.md} or {@code docs/x.md}
 * @param fenceLine the 1-based line of the opening {@code ```java} fence; the block's first line is the next
 * @param lines     the lines between the fences
 * @param cluster   fenced {@code ```java cluster}: it needs a running cluster and the
 *                  {@code spindle-ignite} module, whose tests compile it; this module's harness leaves it
 */
record JavaBlock(String page, int fenceLine, List<String> lines, boolean cluster) {

    JavaBlock {
        lines = List.copyOf(lines);
    }

    /** Every {@code ```java} block of {@code file}, in page order. */
    static List<JavaBlock> in(Path file, String page) throws IOException {
        List<String> all = Files.readAllLines(file);
        List<JavaBlock> blocks = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (!opensJavaBlock(all.get(i))) {
                continue;
            }
            int fence = i;
            List<String> body = new ArrayList<>();
            for (i++; i < all.size() && !all.get(i).strip().equals("```"); i++) {
                body.add(all.get(i));
            }
            if (i == all.size()) {
                throw new IllegalArgumentException(page + ":" + (fence + 1) + ": the ```java block is never closed");
            }
            blocks.add(new JavaBlock(page, fence + 1, body, all.get(fence).strip().equals("```java cluster")));
        }
        return blocks;
    }

    private static boolean opensJavaBlock(String line) {
        String fence = line.strip();
        return fence.equals("```java") || fence.startsWith("```java ");
    }

    /** The 1-based page line of the block's {@code index}-th line (0-based). */
    int pageLine(int index) {
        return fenceLine + 1 + index;
    }

    /** {@code README.md:38}: how test names and failures point at the block. */
    String where() {
        return page + ":" + fenceLine;
    }

    boolean contains(String text) {
        return lines.stream().anyMatch(line -> line.contains(text));
    }
}
