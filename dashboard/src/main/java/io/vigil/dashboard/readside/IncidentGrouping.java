package io.vigil.dashboard.readside;

import io.vigil.storage.query.AlertRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Groups stored alerts into incidents by the correlator's labels ({@code incident} = the root's fingerprint,
 * {@code root} = true on the root). Alerts from before the correlator existed have no label and are their own
 * incident. When the root fired more than once, the incident is its newest episode and the alerts that began
 * since that episode started; earlier episodes only count as occurrences.
 */
public final class IncidentGrouping {

    /** Who acknowledged an incident, and when. */
    public record Ack(String by, Instant at) {}

    private IncidentGrouping() {}

    public static String incidentOf(AlertRow a) {
        return io.vigil.model.IncidentLabels.incidentId(a.labels(), a.fingerprint());
    }

    /** Incidents, firing first, then newest first. */
    public static List<Incident> group(List<AlertRow> alerts, Map<String, Ack> acks) {
        Map<String, List<AlertRow>> byIncident = new LinkedHashMap<>();
        for (AlertRow a : alerts) {
            byIncident.computeIfAbsent(incidentOf(a), k -> new ArrayList<>()).add(a);
        }
        List<Incident> out = new ArrayList<>();
        byIncident.forEach((id, members) -> out.add(incident(id, members, acks.get(id))));
        out.sort(Comparator.comparing((Incident i) -> !i.firing()).thenComparing(Incident::startsAt,
                Comparator.reverseOrder()).thenComparing(Incident::id));
        return out;
    }

    static Incident incident(String id, List<AlertRow> members, Ack ack) {
        List<AlertRow> sorted = new ArrayList<>(members);
        sorted.sort(Comparator.comparing(AlertRow::startsAt).thenComparing(AlertRow::fingerprint));
        List<AlertRow> roots = sorted.stream().filter(a -> a.fingerprint().equals(id)).toList();
        AlertRow root = roots.isEmpty() ? null : roots.get(roots.size() - 1);
        List<AlertRow> current = root == null ? sorted
                : sorted.stream().filter(a -> a == root || (!a.fingerprint().equals(id)
                && !a.startsAt().isBefore(root.startsAt()))).toList();
        String state;
        if (root != null) {
            state = root.state();
        } else {
            state = current.stream().anyMatch(a -> "FIRING".equals(a.state())) ? "FIRING" : "RESOLVED";
        }
        String severity = "INFO";
        TreeSet<String> jobs = new TreeSet<>(), racks = new TreeSet<>(), hosts = new TreeSet<>();
        Instant start = null, end = null;
        for (AlertRow a : current) {
            if (rank(a.severity()) > rank(severity)) severity = a.severity();
            addLabel(jobs, a, "job");
            addLabel(racks, a, "rack");
            addLabel(hosts, a, "host");
            if (start == null || a.startsAt().isBefore(start)) start = a.startsAt();
        }
        if (!"FIRING".equals(state)) {
            for (AlertRow a : current) {
                if (a.endsAt() != null && (end == null || a.endsAt().isAfter(end))) end = a.endsAt();
            }
            if (root != null && root.endsAt() != null) end = root.endsAt();
        }
        AlertRow lead = root != null ? root : current.get(0);
        // An acknowledgement given before the previous episode of the root ended was for that one, not for this
        // recurrence. (Not compared with this episode's start: acks are wall-clock times, alerts event times, and a
        // collector's clock or a replay may run ahead.)
        Instant previousEnd = roots.size() < 2 ? null : roots.get(roots.size() - 2).endsAt() != null
                ? roots.get(roots.size() - 2).endsAt() : roots.get(roots.size() - 2).startsAt();
        Ack valid = ack != null && (previousEnd == null || ack.at().isAfter(previousEnd)) ? ack : null;
        return new Incident(id, root, current, lead.type(), state, severity, start, end, lead.summary(), jobs, racks,
                hosts, Math.max(1, roots.size()), valid == null ? null : valid.by(), valid == null ? null : valid.at());
    }

    private static void addLabel(TreeSet<String> into, AlertRow a, String key) {
        String v = a.labels().get(key);
        if (v != null && !v.isBlank()) into.add(v);
    }

    static int rank(String severity) {
        return switch (severity == null ? "" : severity) {
            case "CRITICAL" -> 3;
            case "WARNING" -> 2;
            case "INFO" -> 1;
            default -> 0;
        };
    }
}
