package io.vigil.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class IncidentLabelsTest {

    @Test
    void anAlertsIncidentIsItsLabelOrItsOwnFingerprintAndOnlyTheRootSaysTrue() {
        assertThat(IncidentLabels.incidentId(Map.of("incident", "abc"), "f1")).isEqualTo("abc");
        // No label, or a blank one (a hand-made or foreign alert): the alert is an incident of its own.
        assertThat(IncidentLabels.incidentId(Map.of(), "f1")).isEqualTo("f1");
        assertThat(IncidentLabels.incidentId(Map.of("incident", " "), "f1")).isEqualTo("f1");
        assertThat(IncidentLabels.incidentId(null, "f1")).isEqualTo("f1");
        assertThat(IncidentLabels.isRoot(Map.of("root", "true"))).isTrue();
        assertThat(IncidentLabels.isRoot(Map.of("root", "false"))).isFalse();
        assertThat(IncidentLabels.isRoot(Map.of())).isFalse();
    }
}
