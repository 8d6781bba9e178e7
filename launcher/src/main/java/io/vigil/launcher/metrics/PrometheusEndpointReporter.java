package io.vigil.launcher.metrics;

import io.vigil.model.metrics.JvmMetrics;
import io.vigil.model.metrics.MetricsServer;
import io.vigil.model.metrics.PrometheusText;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;
import org.apache.flink.metrics.LogicalScopeProvider;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;

/**
 * A Flink process's metrics on a Prometheus {@code /metrics}. Vigil's own (registered by its operators in the
 * {@link PrometheusText#FLINK_GROUP} group) are named {@code vigil_<name>}, counters with {@code _total}, labelled by
 * {@code job}, {@code operator}, {@code subtask} and the operator's own keys ({@code reason}, {@code source},
 * {@code endpoint}); Flink's are named as Flink's Prometheus reporter names them ({@code flink_<scope>_<name>}, every
 * scope variable a label). The process's CPU and memory come as {@code process_*} and {@code jvm_*}.
 *
 * <p>Configured as {@code metrics.reporter.<name>.factory.class: io.vigil.launcher.metrics.PrometheusEndpointReporterFactory}
 * with {@code host} (default {@code 0.0.0.0}) and {@code port}: one port, or a range {@code 9249-9259} of which the
 * first free one is taken (several TaskManagers on one machine).
 */
public final class PrometheusEndpointReporter implements MetricReporter {

    /** Flink's scope variables: on Vigil's metrics only job, operator and subtask are kept, as labels. */
    private static final Set<String> FLINK_VARIABLES = Set.of("host", "tm_id", "job_id", "job_name", "task_id",
            "task_name", "task_attempt_id", "task_attempt_num", "subtask_index", "operator_id", "operator_name");

    /** How a registered metric is exposed: its family, its type there and its labels; and maybe Vigil's name too. */
    private record Exposed(String family, String type, String help, String[] labels, Alias alias) {
        Exposed(String family, String type, String help, String[] labels) {
            this(family, type, help, labels, null);
        }
    }

    /** A Flink metric also shown under a Vigil name (JobManager health the rules alert on), scaled to base units. */
    private record Alias(String family, String type, String help, double scale) {}

    /** Flink's JobManager metrics shown as {@code vigil_flink_*} too: logical scope and name → the Vigil name. */
    private static final java.util.Map<String, Alias> ALIASES = java.util.Map.of(
            "jobmanager.numRunningJobs", new Alias("vigil_flink_running_jobs", "gauge",
                    "Jobs running on the Flink cluster.", 1),
            "jobmanager.numRegisteredTaskManagers", new Alias("vigil_flink_taskmanagers", "gauge",
                    "TaskManagers registered with the JobManager.", 1),
            "jobmanager.taskSlotsAvailable", new Alias("vigil_flink_task_slots_available", "gauge",
                    "Task slots free.", 1),
            "jobmanager.job.numberOfCompletedCheckpoints", new Alias("vigil_flink_checkpoints_completed_total",
                    "counter", "Checkpoints the job completed (since its submission).", 1),
            "jobmanager.job.numberOfFailedCheckpoints", new Alias("vigil_flink_checkpoints_failed_total", "counter",
                    "Checkpoints that failed (since the job's submission).", 1),
            "jobmanager.job.lastCheckpointDuration", new Alias("vigil_flink_last_checkpoint_duration_seconds",
                    "gauge", "How long the job's last completed checkpoint took.", 0.001),
            "jobmanager.job.numRestarts", new Alias("vigil_flink_job_restarts_total", "counter",
                    "Times the job restarted after a failure (since its submission).", 1));

    private final Map<Metric, Exposed> metrics = new ConcurrentHashMap<>();
    private MetricsServer server;

    @Override
    public void open(MetricConfig config) {
        String host = config.getString("host", "0.0.0.0");
        String ports = config.getString("port", "9249");
        IOException last = null;
        for (int port : ports(ports)) {
            try {
                server = MetricsServer.start(new InetSocketAddress(host, port), this::scrape);
                return;
            } catch (IOException e) {
                last = e;
            }
        }
        throw new IllegalStateException("no free port for /metrics in " + host + ":" + ports
                + (last == null ? "" : ": " + last.getMessage()), last);
    }

    /** The port this reporter serves on. */
    public int port() {
        return server.port();
    }

    static List<Integer> ports(String spec) {
        String[] range = spec.trim().split("-");
        try {
            int from = Integer.parseInt(range[0].trim());
            int to = range.length > 1 ? Integer.parseInt(range[1].trim()) : from;
            if (range.length > 2 || from < 0 || to > 65535 || to < from) throw new NumberFormatException();
            List<Integer> out = new ArrayList<>();
            for (int p = from; p <= to; p++) out.add(p);
            return out;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metrics reporter port '" + spec + "' is not a port or a range FROM-TO");
        }
    }

    @Override
    public void close() {
        if (server != null) server.close();
    }

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        metrics.put(metric, expose(metric, metricName, group));
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        metrics.remove(metric);
    }

    static Exposed expose(Metric metric, String metricName, MetricGroup group) {
        Map<String, String> variables = group.getAllVariables();
        String scope;
        try {
            scope = LogicalScopeProvider.castFrom(group).getLogicalScope(PrometheusText::sanitize, '.');
        } catch (IllegalStateException notAProvider) {
            scope = String.join(".", group.getScopeComponents());
        }
        List<String> segments = List.of(scope.split("\\."));
        List<String> labels = new ArrayList<>();
        String name = PrometheusText.sanitize(metricName);
        if (segments.contains(PrometheusText.FLINK_GROUP)) {
            String job = variables.get("<job_name>");
            String operator = variables.getOrDefault("<operator_name>", variables.get("<task_name>"));
            String subtask = variables.get("<subtask_index>");
            if (job != null) add(labels, "job", job);
            if (operator != null) add(labels, "operator", operator);
            if (subtask != null) add(labels, "subtask", subtask);
            variables.forEach((k, v) -> {
                String key = k.replace("<", "").replace(">", "");
                if (!FLINK_VARIABLES.contains(key)) add(labels, PrometheusText.sanitize(key), v);
            });
            String family = "vigil_" + name;
            if (metric instanceof Counter && !family.endsWith("_total")) family += "_total";
            return new Exposed(family, metric instanceof Counter ? "counter" : typeOf(metric),
                    "Vigil's " + metricName + " (Flink metric " + scope + "." + metricName + ").",
                    labels.toArray(String[]::new));
        }
        variables.forEach((k, v) -> add(labels, PrometheusText.sanitize(k.replace("<", "").replace(">", "")), v));
        return new Exposed("flink_" + PrometheusText.sanitize(scope.replace('.', '_')) + "_" + name,
                typeOf(metric), "Flink's " + scope + "." + metricName + ".", labels.toArray(String[]::new),
                ALIASES.get(scope + "." + metricName));
    }

    private static String label(String[] labels, String name) {
        for (int i = 0; i + 1 < labels.length; i += 2) if (labels[i].equals(name)) return labels[i + 1];
        return null;
    }

    private static String typeOf(Metric metric) {
        return metric instanceof Histogram ? "summary" : "gauge";
    }

    private static void add(List<String> labels, String key, String value) {
        labels.add(key);
        labels.add(value == null ? "" : value);
    }

    /** One scrape: every metric's current value; a gauge that is not a number (or fails) is left out. */
    PrometheusText scrape() {
        PrometheusText out = new PrometheusText();
        List<Map.Entry<Metric, Exposed>> sorted = new ArrayList<>(metrics.entrySet());
        sorted.sort(Map.Entry.comparingByValue(java.util.Comparator.comparing(Exposed::family)));
        for (Map.Entry<Metric, Exposed> e : sorted) {
            Metric m = e.getKey();
            Exposed x = e.getValue();
            try {
                if (m instanceof Counter c) {
                    out.sample(x.family(), x.type(), x.help(), c.getCount(), x.labels());
                } else if (m instanceof Meter meter) {
                    out.sample(x.family(), "gauge", x.help(), meter.getRate(), x.labels());
                } else if (m instanceof Histogram h) {
                    HistogramStatistics stats = h.getStatistics();
                    for (double q : new double[] {0.5, 0.95, 0.99}) {
                        String[] labels = java.util.Arrays.copyOf(x.labels(), x.labels().length + 2);
                        labels[labels.length - 2] = "quantile";
                        labels[labels.length - 1] = Double.toString(q);
                        out.sample(x.family(), x.family(), "summary", x.help(), stats.getQuantile(q), labels);
                    }
                    out.sample(x.family(), x.family() + "_count", "summary", x.help(), h.getCount(), x.labels());
                } else if (m instanceof Gauge<?> g) {
                    Object v = g.getValue();
                    if (v instanceof Number n) out.sample(x.family(), "gauge", x.help(), n.doubleValue(), x.labels());
                    else if (v instanceof Boolean b) out.sample(x.family(), "gauge", x.help(), b ? 1 : 0, x.labels());
                    if (x.alias() != null && v instanceof Number n) {
                        Alias a = x.alias();
                        String job = label(x.labels(), "job_name");
                        double value = n.doubleValue() * a.scale();
                        if (job == null) out.sample(a.family(), a.type(), a.help(), value);
                        else out.sample(a.family(), a.type(), a.help(), value, "job", job);
                    }
                }
            } catch (RuntimeException skipped) {
                // A gauge whose task is going away may throw: the others are still reported.
            }
        }
        return JvmMetrics.addTo(out);
    }
}
