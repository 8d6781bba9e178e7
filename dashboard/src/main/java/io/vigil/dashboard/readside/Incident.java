package io.vigil.dashboard.readside;

import io.vigil.storage.query.AlertRow;
import java.time.Instant;
import java.util.List;
import java.util.SortedSet;

/**
 * One incident: a root-cause alert and the alerts the correlator attached to it (its consequences), as the console
 * and the API show it. {@code id} is the root's fingerprint, the id notifications link to.
 *
 * @param root        the root alert's newest episode (null if only consequences are still in view)
 * @param alerts      the root's episode and every attached alert, oldest first
 * @param state       FIRING while the root fires (or, without a root in view, while any attached alert fires)
 * @param severity    the highest severity among its alerts
 * @param occurrences how many episodes of the root are in view (the same fault recurring)
 */
public record Incident(String id, AlertRow root, List<AlertRow> alerts, String type, String state, String severity,
                       Instant startsAt, Instant endsAt, String summary, SortedSet<String> jobs,
                       SortedSet<String> racks, SortedSet<String> hosts, int occurrences,
                       String acknowledgedBy, Instant acknowledgedAt) {

    public boolean firing() {
        return "FIRING".equals(state);
    }
}
