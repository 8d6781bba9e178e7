package io.vigil.model.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prometheus' text exposition format (version 0.0.4), written by every Vigil component that serves {@code /metrics}:
 * one {@code # HELP} and {@code # TYPE} line per family, however many samples it has and in whatever order they are
 * added. Names are checked, label values escaped; a counter's name must end in {@code _total}.
 */
public final class PrometheusText {

    /** The content type Prometheus expects for this format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /**
     * The Flink metric group Vigil's operators register their own metrics in: Vigil's reporter names those
     * {@code vigil_<name>}, and Flink's own {@code flink_<scope>_<name>}.
     */
    public static final String FLINK_GROUP = "vigil";

    private record Family(String type, String help, StringBuilder samples) {}

    private final Map<String, Family> families = new LinkedHashMap<>();

    /** Adds a counter sample; {@code labels} alternate names and values. */
    public PrometheusText counter(String name, String help, double value, String... labels) {
        if (!name.endsWith("_total")) {
            throw new IllegalArgumentException("a counter's name ends in _total: " + name);
        }
        return sample(name, "counter", help, value, labels);
    }

    /** Adds a gauge sample; {@code labels} alternate names and values. */
    public PrometheusText gauge(String name, String help, double value, String... labels) {
        return sample(name, "gauge", help, value, labels);
    }

    /** Adds a sample of a family of {@code type} (counter, gauge, summary, untyped). */
    public PrometheusText sample(String name, String type, String help, double value, String... labels) {
        return sample(name, name, type, help, value, labels);
    }

    /**
     * Adds a sample named {@code sampleName} to the family {@code family} (a summary's {@code _sum} and {@code _count}
     * belong to its family).
     */
    public PrometheusText sample(String family, String sampleName, String type, String help, double value,
                                 String... labels) {
        checkName(family);
        checkName(sampleName);
        if (labels.length % 2 != 0) throw new IllegalArgumentException("labels come in name-value pairs");
        Family f = families.computeIfAbsent(family, k -> new Family(type, help, new StringBuilder()));
        if (!f.type().equals(type)) {
            throw new IllegalArgumentException(family + " is a " + f.type() + ", not a " + type);
        }
        StringBuilder b = f.samples().append(sampleName);
        if (labels.length > 0) {
            b.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                checkName(labels[i]);
                if (i > 0) b.append(',');
                b.append(labels[i]).append("=\"").append(escape(labels[i + 1])).append('"');
            }
            b.append('}');
        }
        b.append(' ').append(format(value)).append('\n');
        return this;
    }

    /** The whole exposition. */
    public String render() {
        StringBuilder out = new StringBuilder();
        families.forEach((name, f) -> {
            out.append("# HELP ").append(name).append(' ')
                    .append(f.help().replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
            out.append("# TYPE ").append(name).append(' ').append(f.type()).append('\n');
            out.append(f.samples());
        });
        return out.toString();
    }

    /** A metric or label name made of what Prometheus allows: other characters become {@code _}. */
    public static String sanitize(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || c >= '0' && c <= '9' && i > 0;
            b.append(ok ? c : '_');
        }
        return b.length() == 0 ? "_" : b.toString();
    }

    private static void checkName(String name) {
        if (name.isEmpty() || !sanitize(name).equals(name)) {
            throw new IllegalArgumentException("not a Prometheus name: '" + name + "'");
        }
    }

    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String format(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }
}
