package io.vigil.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An operator's decision about notifications, on the compacted topic {@link Topics#silences()} keyed by {@code id}
 * (the newest record per id is the truth; ending one early is a new record with an earlier {@code endsAt}):
 * <ul>
 * <li>{@link Kind#SILENCE}: incidents whose labels match every matcher notify nobody from {@code startsAt} to
 * {@code endsAt} (as an Alertmanager silence);</li>
 * <li>{@link Kind#MAINTENANCE}: planned work on hosts, racks or rows; matching incidents page nobody and are still
 * recorded;</li>
 * <li>{@link Kind#ACK}: someone acknowledged the incident {@code incident}; its repeats stop and receivers that know
 * acknowledgement (PagerDuty) are told. It holds until the incident resolves.</li>
 * </ul>
 */
public record Silence(
        String id,
        Kind kind,
        List<LabelMatcher> matchers,
        String incident,
        Instant startsAt,
        Instant endsAt,
        String createdBy,
        String comment,
        Instant updatedAt) {

    public enum Kind { SILENCE, MAINTENANCE, ACK }

    public Silence {
        matchers = matchers == null ? List.of() : List.copyOf(matchers);
    }

    @JsonProperty("schema")
    public String schema() {
        return "vigil.silence.v1";
    }

    /** In force at {@code at}. An ACK has no end of its own: it lasts until its incident resolves. */
    public boolean activeAt(Instant at) {
        return !at.isBefore(startsAt) && (endsAt == null || at.isBefore(endsAt));
    }

    /** Whether this silence or maintenance window covers an incident with these labels at {@code at}. */
    public boolean covers(Map<String, String> labels, Instant at) {
        if (kind == Kind.ACK || !activeAt(at) || matchers.isEmpty()) return false;
        for (LabelMatcher m : matchers) {
            if (!m.matches(labels)) return false;
        }
        return true;
    }

    /** Checks what a reader relies on; returns the problem or null. */
    public String problem() {
        if (id == null || id.isBlank()) return "id is required";
        if (kind == null) return "kind must be SILENCE, MAINTENANCE or ACK";
        if (startsAt == null) return "startsAt is required";
        if (kind == Kind.ACK) {
            return incident == null || incident.isBlank() ? "an ACK names its incident" : null;
        }
        if (matchers.isEmpty()) return "a " + kind.name().toLowerCase() + " needs at least one matcher";
        if (endsAt == null) return "endsAt is required";
        if (!endsAt.isAfter(startsAt)) return "endsAt must be after startsAt";
        return null;
    }

    public static Silence decode(byte[] bytes) {
        try {
            return WireFormat.mapper().readValue(bytes, Silence.class);
        } catch (IOException e) {
            throw new UncheckedIOException("not a silence: " + e.getMessage(), e);
        }
    }
}
