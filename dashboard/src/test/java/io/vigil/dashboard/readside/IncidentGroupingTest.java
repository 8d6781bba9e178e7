package io.vigil.dashboard.readside;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.storage.query.AlertRow;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IncidentGroupingTest {
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    static AlertRow alert(String fp, String type, String severity, String state, int startS, Integer endS,
                          String incident, Boolean root, String... labels) {
        Map<String, String> l = new HashMap<>();
        l.put("cluster", "c1");
        for (int i = 0; i + 1 < labels.length; i += 2) l.put(labels[i], labels[i + 1]);
        if (incident != null) l.put("incident", incident);
        if (root != null) l.put("root", root.toString());
        return new AlertRow(fp, type, severity, state, T0.plusSeconds(startS), endS == null ? null : T0.plusSeconds(endS),
                l, type + " on " + fp, Map.of(), T0);
    }

    @Test
    void oneIncidentPerRootWithItsConsequencesAndTheirJobsAndRacks() {
        List<AlertRow> rows = List.of(
                alert("cdu", "COOLING", "WARNING", "FIRING", 0, null, "cdu", true, "device", "cdu-1"),
                alert("hot", "THERMAL", "CRITICAL", "FIRING", 30, null, "cdu", false, "rack", "A01", "host", "h1", "gpu", "3", "job", "j1"),
                alert("strag", "STRAGGLER", "WARNING", "RESOLVED", 40, 90, "cdu", false, "rack", "A01", "job", "j2"),
                alert("lone", "XID", "WARNING", "RESOLVED", 10, 20, null, null, "host", "h9", "gpu", "0"));
        List<Incident> incidents = IncidentGrouping.group(rows, Map.of());
        assertThat(incidents).extracting(Incident::id).containsExactly("cdu", "lone");
        Incident cdu = incidents.get(0);
        assertThat(cdu.firing()).isTrue();
        assertThat(cdu.severity()).isEqualTo("CRITICAL");
        assertThat(cdu.type()).isEqualTo("COOLING");
        assertThat(cdu.alerts()).hasSize(3);
        assertThat(cdu.jobs()).containsExactly("j1", "j2");
        assertThat(cdu.racks()).containsExactly("A01");
        assertThat(cdu.startsAt()).isEqualTo(T0);
        Incident lone = incidents.get(1);
        assertThat(lone.firing()).isFalse();
        assertThat(lone.endsAt()).isEqualTo(T0.plusSeconds(20));
    }

    @Test
    void aRecurringRootIsItsNewestEpisodeAndAnOldAckDoesNotCarryOver() {
        List<AlertRow> rows = List.of(
                alert("g", "THERMAL", "CRITICAL", "RESOLVED", 0, 100, "g", true, "host", "h1", "gpu", "1"),
                alert("s1", "STRAGGLER", "WARNING", "RESOLVED", 20, 100, "g", false, "job", "old"),
                alert("g", "THERMAL", "CRITICAL", "FIRING", 1000, null, "g", true, "host", "h1", "gpu", "1"),
                alert("s2", "STRAGGLER", "WARNING", "FIRING", 1010, null, "g", false, "job", "new"));
        Incident i = IncidentGrouping.group(rows, Map.of("g", new IncidentGrouping.Ack("ana", T0.plusSeconds(50))))
                .get(0);
        assertThat(i.occurrences()).isEqualTo(2);
        assertThat(i.startsAt()).isEqualTo(T0.plusSeconds(1000));
        assertThat(i.jobs()).containsExactly("new");
        assertThat(i.acknowledgedBy()).isNull();
        Incident acked = IncidentGrouping.group(rows, Map.of("g", new IncidentGrouping.Ack("ana", T0.plusSeconds(1020))))
                .get(0);
        assertThat(acked.acknowledgedBy()).isEqualTo("ana");
    }

    @Test
    void anAckCountsEvenWhenTheAlertsClockRunsAheadOfTheDashboards() {
        // A replay or a collector with a fast clock: the alert starts "later" than the wall-clock acknowledgement.
        Incident i = IncidentGrouping.group(List.of(
                        alert("g", "THERMAL", "WARNING", "FIRING", 600, null, "g", true, "host", "h1", "gpu", "1")),
                Map.of("g", new IncidentGrouping.Ack("ana", T0.plusSeconds(30)))).get(0);
        assertThat(i.acknowledgedBy()).isEqualTo("ana");
    }

    @Test
    void withoutItsRootInViewAnIncidentFiresWhileAnyAlertFires() {
        Incident i = IncidentGrouping.group(List.of(
                alert("c", "STRAGGLER", "WARNING", "FIRING", 5, null, "gone-root", false, "job", "j")), Map.of()).get(0);
        assertThat(i.id()).isEqualTo("gone-root");
        assertThat(i.root()).isNull();
        assertThat(i.firing()).isTrue();
    }
}
