package dev.spindle.cli.bench;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The samples of a benchmark, as a Markdown table, a bar chart for the terminal and one as SVG.
 * Every cell is the median of the runs; ratios are to {@link Contenders#BASELINE} when it ran, and
 * the charts are relative to it, or to the fastest server of each workload when it did not.
 *
 * @param samples the runs, by {@link #key}
 */
record BenchReport(Map<String, List<Sample>> samples, List<String> servers, List<Workload> workloads, int reps,
                   Duration warmup, Duration duration, boolean pinned, List<String> serverOptions) {

    static String key(Workload w, String server) {
        return w.name() + "|" + server;
    }

    private List<Sample> runs(Workload w, String server) {
        return samples.get(key(w, server));
    }

    private double median(Workload w, String server, ToDoubleFunction<Sample> value) {
        List<Sample> runs = runs(w, server);
        return runs == null ? 0 : median(runs.stream().mapToDouble(value).toArray());
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return 0;
        }
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Server CPU per message over the runs that served anything. */
    private double cpuPerMessage(Workload w, String server) {
        List<Sample> runs = runs(w, server);
        return runs == null ? 0 : median(runs.stream().filter(r -> r.messagesPerSecond() > 0)
                .mapToDouble(Sample::cpuMicrosPerMessage).toArray());
    }

    private boolean hasBaseline() {
        return servers.contains(Contenders.BASELINE);
    }

    /** What a workload's bars are relative to: the baseline's msgs/s, or the fastest server's. */
    private double reference(Workload w) {
        if (hasBaseline()) {
            return median(w, Contenders.BASELINE, Sample::messagesPerSecond);
        }
        return servers.stream().mapToDouble(s -> median(w, s, Sample::messagesPerSecond)).max().orElse(0);
    }

    String table() {
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "Medians of %d interleaved run%s; %s s warm-up, %s s measured; server %s;"
                        + " load: `spindle load --loops 1`; %s.%n%n", reps, reps == 1 ? "" : "s", seconds(warmup),
                seconds(duration), pinned ? "pinned to CPU 0, load to CPU 1 (taskset)" : "not pinned (no taskset or one CPU)",
                LocalDate.now()));
        if (!serverOptions.isEmpty()) {
            t.append("Servers started with `").append(String.join(" ", serverOptions)).append("`.\n\n");
        }
        t.append("| workload | server | msgs/s | p99 | server CPU | server CPU per msg | peak RSS | msgs/s × netty-epoll"
                + " | CPU per msg, netty-epoll ÷ this | min msgs per connection |\n");
        t.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Workload w : workloads) {
            double baseline = median(w, Contenders.BASELINE, Sample::messagesPerSecond);
            double baseCost = cpuPerMessage(w, Contenders.BASELINE);
            for (String server : servers) {
                List<Sample> s = runs(w, server);
                if (s == null) {
                    t.append(String.format(Locale.ROOT, "| %s | %s | not run: a platform thread per connection | | | | | | | |%n",
                            w.name(), server));
                    continue;
                }
                double rate = median(w, server, Sample::messagesPerSecond);
                if (rate == 0) {
                    t.append(String.format(Locale.ROOT, "| %s | %s | failed: see the run's message | | | | | | | |%n", w.name(), server));
                    continue;
                }
                double cost = cpuPerMessage(w, server);
                boolean clean = s.stream().allMatch(Sample::clean);
                long starved = s.stream().mapToLong(Sample::minPerConnection).min().orElse(0);
                t.append(String.format(Locale.ROOT, "| %s | %s | %,.0f%s | %,.0f µs | %.0f%% | %.2f µs | %,.0f MiB | %s | %s | %,d |%n",
                        w.name(), server, rate, clean ? "" : " (errors)", median(w, server, Sample::p99Micros),
                        median(w, server, Sample::serverCpuPercent), cost,
                        median(w, server, Sample::peakRssKiB) / 1024,
                        baseline > 0 ? String.format(Locale.ROOT, "%.2f", rate / baseline) : "–",
                        baseCost > 0 && cost > 0 ? String.format(Locale.ROOT, "%.2f", baseCost / cost) : "–", starved));
            }
        }
        return t.toString();
    }

    /** 2 for two seconds, 1.5 for 1,500 ms. */
    private static String seconds(Duration d) {
        return java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString();
    }

    static String holdTable(List<Hold> holds) {
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "%nHold: %,d idle connections, a 64-byte ping on each every %d s (two rounds);"
                + " resident memory over the idle server's, per connection.%n%n", EndToEndRun.HOLD_CONNECTIONS,
                EndToEndRun.HOLD_PING_EVERY.toSeconds()));
        t.append("| server | KiB per connection | server RSS | every ping answered |\n|---|---:|---:|---|\n");
        for (Hold h : holds) {
            t.append(String.format(Locale.ROOT, "| %s | %.1f | %,d MiB | %s |%n", h.server(), h.kibPerConnection(),
                    h.rssKiB() / 1024, h.allAnswered() ? "yes" : "no"));
        }
        return t.toString();
    }

    /** msgs/s as bars of block characters, one group per workload, for a terminal. */
    String textChart() {
        int width = 40;
        StringBuilder c = new StringBuilder(hasBaseline() ? "msgs/s, bars relative to netty-epoll (| = netty-epoll)\n"
                : "msgs/s, bars relative to the fastest server of each workload\n");
        double scale = hasBaseline() ? 1.5 : 1.0;
        for (Workload w : workloads) {
            double reference = reference(w);
            c.append('\n').append(w.name()).append('\n');
            for (String server : servers) {
                double rate = median(w, server, Sample::messagesPerSecond);
                if (runs(w, server) == null || rate == 0 || reference == 0) {
                    continue;
                }
                double ratio = rate / reference;
                int cells = (int) Math.round(Math.min(scale, ratio) / scale * width);
                StringBuilder bar = new StringBuilder("█".repeat(cells)).append(" ".repeat(width - cells));
                if (hasBaseline()) {
                    int mark = (int) Math.round(width / scale);
                    bar.setCharAt(mark, cells > mark ? '┃' : '|');
                }
                c.append(String.format(Locale.ROOT, "  %-12s %s %,10.0f  %.2f×%n", server, bar, rate, ratio));
            }
        }
        return c.toString();
    }

    /** The same bars as a grouped SVG chart, one group per workload. */
    String svgChart() {
        String[] colours = {"#7f8c8d", "#2980b9", "#c0392b", "#8e44ad", "#16a085", "#f39c12", "#27ae60"};
        int barWidth = 14;
        int groupWidth = servers.size() * barWidth + 30;
        int width = 80 + Math.max(groupWidth * workloads.size(), 110 * servers.size());
        int height = 360;
        int top = 40;
        int bottom = 300;
        double maxRatio = hasBaseline() ? 1.5 : 1.0;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
                + "font-family='sans-serif' font-size='11'>%n", width, height));
        svg.append("<text x='10' y='20' font-size='14'>").append(hasBaseline()
                ? "msgs/s relative to Netty on epoll (1.0 = Netty epoll)" : "msgs/s relative to the fastest server")
                .append("</text>\n");
        for (double r = 0; r <= maxRatio + 1e-9; r += 0.25) {
            double y = bottom - (bottom - top) * r / maxRatio;
            svg.append(String.format(Locale.ROOT, "<line x1='60' y1='%.1f' x2='%d' y2='%.1f' stroke='%s'/>"
                    + "<text x='55' y='%.1f' text-anchor='end'>%.2f</text>%n", y, width - 10, y,
                    r == 1.0 ? "#333" : "#ddd", y + 4, r));
        }
        for (int g = 0; g < workloads.size(); g++) {
            Workload w = workloads.get(g);
            double reference = reference(w);
            int x0 = 70 + g * groupWidth;
            for (int i = 0; i < servers.size(); i++) {
                double rate = median(w, servers.get(i), Sample::messagesPerSecond);
                if (reference == 0 || rate == 0) {
                    continue;
                }
                double ratio = Math.min(maxRatio, rate / reference);
                double h = (bottom - top) * ratio / maxRatio;
                svg.append(String.format(Locale.ROOT, "<rect x='%d' y='%.1f' width='%d' height='%.1f' fill='%s'>"
                        + "<title>%s %s %.2f</title></rect>%n", x0 + i * barWidth, bottom - h, barWidth - 2, h,
                        colours[i % colours.length], w.name(), servers.get(i), ratio));
            }
            svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d' text-anchor='middle'>%s</text>%n",
                    x0 + servers.size() * barWidth / 2, bottom + 16, w.name().replace("×", "x")));
        }
        for (int i = 0; i < servers.size(); i++) {
            svg.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='10' height='10' fill='%s'/>"
                    + "<text x='%d' y='%d'>%s</text>%n", 70 + i * 110, height - 22, colours[i % colours.length],
                    84 + i * 110, height - 13, servers.get(i)));
        }
        return svg.append("</svg>\n").toString();
    }
}
