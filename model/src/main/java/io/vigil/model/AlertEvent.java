package io.vigil.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A detector's finding changed state, on {@link Topics#alerts()}: it started firing, or it resolved.
 *
 * <p>{@code fingerprint} is stable for one problem on one entity (the type and the entity labels hashed), so a
 * firing event and the resolved event that ends it share it, as in Alertmanager; {@code startsAt} tells apart two
 * episodes of the same problem. {@code evidence} holds the metric values that made the detector decide.
 * {@code detectedAt} is the event time of the newest telemetry the detector had when it decided: detection latency
 * is {@code detectedAt - startsAt} (plus transport), and the scorecard measures it from the fault's start.
 *
 * <p>Labels {@code incident} (the fingerprint of the root-cause alert this one belongs to) and {@code root}
 * ({@code true} for the alert that pages, {@code false} for a consequence attached to it) are set by the incident
 * correlator, not by detectors.
 */
public record AlertEvent(
        String fingerprint,
        AlertType type,
        Severity severity,
        State state,
        Instant startsAt,
        Instant endsAt,
        Map<String, String> labels,
        String summary,
        Map<String, Double> evidence,
        Origin origin,
        Instant detectedAt) implements TelemetryRecord {

    public enum Severity { INFO, WARNING, CRITICAL }

    public enum State { FIRING, RESOLVED }

    public AlertEvent {
        labels = labels == null ? Map.of() : new TreeMap<>(labels);
        evidence = evidence == null ? Map.of() : new TreeMap<>(evidence);
    }

    @Override
    @JsonProperty("schema")
    public Schema schema() {
        return Schema.ALERT;
    }

    @Override
    @JsonIgnore
    public long eventTimeMs() {
        return (state == State.RESOLVED && endsAt != null ? endsAt : startsAt).toEpochMilli();
    }

    /** A copy with other labels (the correlator's incident labels). */
    public AlertEvent withLabels(Map<String, String> newLabels) {
        return new AlertEvent(fingerprint, type, severity, state, startsAt, endsAt, newLabels, summary, evidence, origin,
                detectedAt);
    }

    /** A copy with another summary and evidence (an incident's root, updated as consequences attach). */
    public AlertEvent withSummary(String newSummary, Map<String, Double> newEvidence) {
        return new AlertEvent(fingerprint, type, severity, state, startsAt, endsAt, labels, newSummary, newEvidence,
                origin, detectedAt);
    }

    /** A copy stamped with another origin (the correlator re-sequences its output per incident). */
    public AlertEvent withOrigin(Origin newOrigin) {
        return new AlertEvent(fingerprint, type, severity, state, startsAt, endsAt, labels, summary, evidence, newOrigin,
                detectedAt);
    }

    /** The stable fingerprint of an alert type on an entity: the first 16 hex digits of SHA-256 over both. */
    public static String fingerprint(AlertType type, Map<String, String> entityLabels) {
        SortedMap<String, String> sorted = new TreeMap<>(entityLabels);
        StringBuilder text = new StringBuilder(type.name());
        sorted.forEach((k, v) -> text.append('\u001f').append(k).append('=').append(v));
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
