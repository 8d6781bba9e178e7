package io.vigil.detection.alert;

import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.Origin;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How detectors build alert events, in one place: the fingerprint hashes only the identity labels (so a firing and
 * its resolved event share it however the descriptive labels change), and each detector's alerts on one entity form
 * one origin stream with a gap-free sequence, deterministic across restarts from a checkpoint.
 */
public final class Alerts {

    private Alerts() {}

    /** Labels from alternating keys and values; a null value leaves its key out. */
    public static Map<String, String> labels(String... keysAndValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                m.put(keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return m;
    }

    /** Evidence from alternating names and values; a null or NaN value leaves its name out. */
    public static Map<String, Double> evidence(Object... namesAndValues) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            Object v = namesAndValues[i + 1];
            if (v instanceof Number n && !Double.isNaN(n.doubleValue())) {
                m.put((String) namesAndValues[i], Math.round(n.doubleValue() * 100.0) / 100.0);
            }
        }
        return m;
    }

    /**
     * One alert event.
     *
     * @param identity the labels that name the entity (hashed into the fingerprint)
     * @param extra    descriptive labels added to the identity (rack, uuid, job, ...)
     * @param origin   the stream (e.g. {@code detector-straggler:demo/job-2/rank5}), its life's epoch and the event's
     *                 number within it, from 1: see {@link Episode#nextOrigin}
     */
    public static AlertEvent event(AlertType type, AlertEvent.Severity severity, AlertEvent.State state,
                                   Map<String, String> identity, Map<String, String> extra, long startMs,
                                   Long endMs, long detectedMs, String summary, Map<String, Double> evidence,
                                   Origin origin) {
        Map<String, String> all = new LinkedHashMap<>(identity);
        extra.forEach(all::putIfAbsent);
        return new AlertEvent(AlertEvent.fingerprint(type, identity), type, severity, state,
                Instant.ofEpochMilli(startMs), endMs == null ? null : Instant.ofEpochMilli(endMs), all, summary,
                evidence, origin, Instant.ofEpochMilli(detectedMs));
    }

    public static String pct(double fraction) {
        long p = Math.round(fraction * 100);
        return (p > 0 ? "+" : p < 0 ? "\u2212" : "") + Math.abs(p) + "%";
    }
}
