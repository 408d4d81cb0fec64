package dev.spindle.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The outcome of a {@code spindle load} run: the summary line, the JSON document and the HTML page. */
record LoadReport(String target, int connections, int size, int depth, String mode, double seconds,
                  long messages, Histogram latencies, long mismatches, long failedConnections,
                  long minPerConnection, long maxPerConnection, double clientCpuMicrosPerMessage, String problem) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    double messagesPerSecond() {
        return messages / seconds;
    }

    double micros(double percentile) {
        return latencies.getTotalCount() == 0 ? 0 : latencies.getValueAtPercentile(percentile) / 1_000.0;
    }

    double maxMicros() {
        return latencies.getTotalCount() == 0 ? 0 : latencies.getMaxValue() / 1_000.0;
    }

    boolean clean() {
        return mismatches == 0 && failedConnections == 0;
    }

    String summary() {
        return String.format(Locale.ROOT, "load: %s, %d connections, %d B, depth %d, %.1f s: %,d msgs (%,.0f msgs/s),"
                        + " latency p50 %s p99 %s p99.9 %s max %s, per connection %d..%d msgs, %d mismatches,"
                        + " %d connections lost, client CPU %.2f µs/msg",
                target, connections, size, depth, seconds, messages, messagesPerSecond(), time(micros(50)),
                time(micros(99)), time(micros(99.9)), time(maxMicros()), minPerConnection, maxPerConnection,
                mismatches, failedConnections, clientCpuMicrosPerMessage);
    }

    private static String time(double micros) {
        return micros >= 1_000 ? String.format(Locale.ROOT, "%.2f ms", micros / 1_000)
                : String.format(Locale.ROOT, "%.0f µs", micros);
    }

    ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("target", target).put("connections", connections).put("size", size).put("depth", depth)
                .put("mode", mode).put("seconds", seconds).put("messages", messages)
                .put("messagesPerSecond", messagesPerSecond()).put("mismatches", mismatches)
                .put("connectionsLost", failedConnections).put("minMessagesPerConnection", minPerConnection)
                .put("maxMessagesPerConnection", maxPerConnection)
                .put("clientCpuMicrosPerMessage", clientCpuMicrosPerMessage)
                .put("date", Instant.now().toString()).put("java", Runtime.version().toString());
        ObjectNode latency = root.putObject("latencyMicros");
        latency.put("p50", micros(50)).put("p90", micros(90)).put("p99", micros(99)).put("p99_9", micros(99.9))
                .put("max", maxMicros()).put("mean", latencies.getTotalCount() == 0 ? 0 : latencies.getMean() / 1_000);
        if (problem != null) {
            root.put("firstProblem", problem);
        }
        ArrayNode curve = root.putArray("percentiles");
        for (double[] point : percentileCurve()) {
            curve.addObject().put("percentile", point[0]).put("micros", point[1]);
        }
        return root;
    }

    void writeJson(Path file) throws IOException {
        JSON.writeValue(file.toFile(), toJson());
    }

    /** (percentile, microseconds) pairs along the distribution, denser towards the tail. */
    private List<double[]> percentileCurve() {
        List<double[]> points = new ArrayList<>();
        if (latencies.getTotalCount() == 0) {
            return points;
        }
        for (HistogramIterationValue v : latencies.percentiles(5)) {
            points.add(new double[] {v.getPercentileLevelIteratedTo(), v.getValueIteratedTo() / 1_000.0});
            if (v.getPercentileLevelIteratedTo() >= 99.999) {
                break;
            }
        }
        return points;
    }

    /** A self-contained page: the numbers and a latency-by-percentile plot drawn as inline SVG. */
    void writeHtml(Path file) throws IOException {
        int width = 800;
        int height = 400;
        int margin = 60;
        List<double[]> curve = percentileCurve();
        double maxX = Math.log10(1 / (1 - 0.99999));
        double maxY = Math.max(1, curve.stream().mapToDouble(p -> p[1]).max().orElse(1));
        StringBuilder line = new StringBuilder();
        for (double[] p : curve) {
            double x = margin + (width - 2 * margin) * Math.log10(1 / Math.max(1e-5, 1 - p[0] / 100)) / maxX;
            double y = height - margin - (height - 2 * margin) * p[1] / maxY;
            line.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        StringBuilder ticks = new StringBuilder();
        String[] labels = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
        for (int i = 0; i < labels.length; i++) {
            double x = margin + (width - 2 * margin) * i / maxX;
            ticks.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#ddd'/>"
                            + "<text x='%.1f' y='%d' font-size='12' text-anchor='middle'>%s</text>%n",
                    x, margin, x, height - margin, x, height - margin + 18, labels[i]));
        }
        for (int i = 0; i <= 4; i++) {
            double value = maxY * i / 4;
            double y = height - margin - (height - 2 * margin) * i / 4.0;
            ticks.append(String.format(Locale.ROOT, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#ddd'/>"
                            + "<text x='%d' y='%.1f' font-size='12' text-anchor='end'>%s</text>%n",
                    margin, y, width - margin, y, margin - 6, y + 4, time(value)));
        }
        String html = """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>spindle load: %1$s</title>
                <style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 12px;text-align:right}th{text-align:left}</style>
                </head><body>
                <h1>spindle load</h1>
                <p>%2$s</p>
                <table>
                <tr><th>target</th><td>%1$s</td></tr>
                <tr><th>connections × size × depth</th><td>%3$d × %4$d B × %5$d</td></tr>
                <tr><th>messages per second</th><td>%6$,.0f</td></tr>
                <tr><th>p50 / p99 / p99.9 / max</th><td>%7$s / %8$s / %9$s / %10$s</td></tr>
                <tr><th>mismatched bytes, connections lost</th><td>%11$d, %12$d</td></tr>
                <tr><th>client CPU per message</th><td>%13$.2f µs</td></tr>
                </table>
                <h2>Latency by percentile</h2>
                <svg xmlns="http://www.w3.org/2000/svg" width="%14$d" height="%15$d" role="img" aria-label="latency by percentile">
                %16$s<polyline fill="none" stroke="#c0392b" stroke-width="2" points="%17$s"/>
                <text x="%18$d" y="%19$d" font-size="12" text-anchor="middle">percentile (log scale towards the tail)</text>
                </svg>
                </body></html>
                """.formatted(escape(target), escape(summary()), connections, size, depth, messagesPerSecond(),
                time(micros(50)), time(micros(99)), time(micros(99.9)), time(maxMicros()), mismatches,
                failedConnections, clientCpuMicrosPerMessage, width, height, ticks, line, width / 2, height - 15);
        Files.writeString(file, html, StandardCharsets.UTF_8);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
