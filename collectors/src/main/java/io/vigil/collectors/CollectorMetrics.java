package io.vigil.collectors;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The collector's own Prometheus {@code /metrics}: per target, scrapes, failures, skipped rounds, samples, the
 * last success time and the last scrape's duration; Kafka refusals, spool depth and records dropped from a full
 * spool.
 */
public final class CollectorMetrics implements AutoCloseable {

    private final HttpServer server;

    public CollectorMetrics(int port, List<ScrapeLoop.Target> targets, LongSupplier sendFailures,
                            LongSupplier spoolDepth, LongSupplier spoolDropped) throws IOException {
        this(port, targets, sendFailures, spoolDepth, spoolDropped, java.util.Map::of);
    }

    public CollectorMetrics(int port, List<ScrapeLoop.Target> targets, LongSupplier sendFailures,
                            LongSupplier spoolDepth, LongSupplier spoolDropped,
                            java.util.function.Supplier<java.util.Map<String, Long>> droppedValues) throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/metrics", ex -> {
            byte[] body = (render(targets, sendFailures.getAsLong(), spoolDepth.getAsLong(), spoolDropped.getAsLong())
                    + renderDetails(targets, droppedValues.get())).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    static String render(List<ScrapeLoop.Target> targets, long sendFailures, long spoolDepth, long spoolDropped) {
        StringBuilder b = new StringBuilder();
        metric(b, "vigil_collector_scrapes_total", "counter", "Scrapes attempted per target.", targets, t -> t.scrapes());
        metric(b, "vigil_collector_scrape_failures_total", "counter", "Failed scrapes per target.", targets, t -> t.failures());
        metric(b, "vigil_collector_scrapes_skipped_total", "counter",
                "Rounds skipped because the target's previous scrape was still running.", targets, t -> t.skipped());
        metric(b, "vigil_collector_samples_total", "counter", "GPU samples produced per target.", targets, t -> t.samples());
        metric(b, "vigil_collector_target_up", "gauge", "1 if the target's last scrape succeeded.", targets,
                t -> t.up() ? 1 : 0);
        metric(b, "vigil_collector_last_success_timestamp_seconds", "gauge", "Time of the last successful scrape.",
                targets, t -> t.lastSuccessMs() / 1000.0);
        metric(b, "vigil_collector_scrape_duration_seconds", "gauge", "Duration of the last scrape.", targets,
                ScrapeLoop.Target::lastDurationSeconds);
        b.append("# HELP vigil_collector_send_failures_total Records Kafka did not accept.\n")
                .append("# TYPE vigil_collector_send_failures_total counter\n")
                .append("vigil_collector_send_failures_total ").append(sendFailures).append('\n');
        b.append("# HELP vigil_collector_spool_depth Records waiting in the disk spool for Kafka.\n")
                .append("# TYPE vigil_collector_spool_depth gauge\n")
                .append("vigil_collector_spool_depth ").append(spoolDepth).append('\n');
        b.append("# HELP vigil_collector_spool_dropped_total Records dropped because the spool was full (oldest first).\n")
                .append("# TYPE vigil_collector_spool_dropped_total counter\n")
                .append("vigil_collector_spool_dropped_total ").append(spoolDropped).append('\n');
        return b.toString();
    }

    /** Per-resource errors by reason, empty scrapes, and values dropped by the sanitizer by field and reason. */
    static String renderDetails(List<ScrapeLoop.Target> targets, java.util.Map<String, Long> droppedValues) {
        StringBuilder b = new StringBuilder();
        metric(b, "vigil_collector_empty_scrapes_total", "counter",
                "Scrapes that succeeded but gave no record (the target answered with no readings).", targets,
                ScrapeLoop.Target::emptyScrapes);
        b.append("# HELP vigil_collector_resource_errors_total Resources that failed inside a target's scrape, by reason;"
                        + " only the readings under them were lost.\n")
                .append("# TYPE vigil_collector_resource_errors_total counter\n");
        for (ScrapeLoop.Target t : targets) {
            t.resourceErrors().forEach((reason, n) -> b.append("vigil_collector_resource_errors_total{target=\"")
                    .append(escape(t.name())).append("\",reason=\"").append(reason).append("\"} ").append(n).append('\n'));
        }
        b.append("# HELP vigil_collector_reading_warnings_total Readings published but inconsistent, by kind"
                        + " (power_mismatch: a device's input and its supplies' sum over 10 % apart; placement_mismatch:"
                        + " a reported rack or row other than the configured one).\n")
                .append("# TYPE vigil_collector_reading_warnings_total counter\n");
        for (ScrapeLoop.Target t : targets) {
            t.readingWarnings().forEach((kind, n) -> b.append("vigil_collector_reading_warnings_total{target=\"")
                    .append(escape(t.name())).append("\",kind=\"").append(kind).append("\"} ").append(n).append('\n'));
        }
        b.append("# HELP vigil_collector_values_dropped_total Readings dropped before publishing, by field and reason"
                        + " (out of physical range, counter went backwards, text too long).\n")
                .append("# TYPE vigil_collector_values_dropped_total counter\n");
        droppedValues.forEach((key, n) -> {
            int slash = key.lastIndexOf('/');
            b.append("vigil_collector_values_dropped_total{field=\"").append(escape(key.substring(0, slash)))
                    .append("\",reason=\"").append(key.substring(slash + 1)).append("\"} ").append(n).append('\n');
        });
        return b.toString();
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private interface Value {
        double of(ScrapeLoop.Target t);
    }

    private static void metric(StringBuilder b, String name, String type, String help, List<ScrapeLoop.Target> targets,
                               Value value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        for (ScrapeLoop.Target t : targets) {
            b.append(name).append("{target=\"").append(t.name().replace("\\", "\\\\").replace("\"", "\\\""))
                    .append("\"} ").append(value.of(t)).append('\n');
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
