package io.vigil.notify.incident;

import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a notification tells about one incident: its root alert, the alerts attached to it, what it affects and who
 * acknowledged it. Receivers' payloads are made from this alone.
 *
 * @param incident      the incident's fingerprint (its root alert's)
 * @param labels        the root's labels plus the owners of its job ({@code team}, {@code account},
 *                      {@code namespace}) as routing saw them
 * @param dashboardUrl  the incident's page, or null when no dashboard URL is configured
 */
public record IncidentView(
        String incident,
        Instant startsAt,
        Instant endsAt,
        boolean resolved,
        String type,
        String severity,
        String summary,
        Map<String, String> labels,
        Map<String, Double> evidence,
        List<Attached> attached,
        List<String> jobs,
        List<String> racks,
        String acknowledgedBy,
        String dashboardUrl,
        String runbookUrl) implements Serializable {

    /** An alert attached to the incident (a consequence of its root). */
    public record Attached(String fingerprint, String type, String severity, String summary, String entity,
                           boolean resolved) implements Serializable {}

    /** The evidence as one line of text, e.g. {@code gpuTempC=94.0, slowdownTempC=87.0}. */
    public String evidenceText() {
        StringBuilder b = new StringBuilder();
        evidence.forEach((k, v) -> {
            if (b.length() > 0) b.append(", ");
            b.append(k).append('=').append(v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf(v.longValue()) : v);
        });
        return b.toString();
    }

    /** Where the incident is, e.g. {@code demo/r02/host-017 gpu 3} or {@code demo cdu-1}. */
    public String entity() {
        return entityOf(labels);
    }

    static String entityOf(Map<String, String> l) {
        StringBuilder b = new StringBuilder(l.getOrDefault("cluster", ""));
        for (String k : List.of("row", "rack", "host", "device", "job")) {
            String v = l.get(k);
            if (v != null && !(k.equals("rack") && l.containsKey("host"))) b.append(b.length() > 0 ? "/" : "").append(v);
        }
        if (l.get("gpu") != null) b.append(" gpu ").append(l.get("gpu"));
        if (l.get("rank") != null) b.append(" rank ").append(l.get("rank"));
        return b.toString();
    }
}
