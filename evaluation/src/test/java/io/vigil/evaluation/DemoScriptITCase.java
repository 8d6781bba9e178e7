package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.collectors.simulator.ClusterTopology;
import io.vigil.collectors.simulator.FaultScript;
import io.vigil.collectors.simulator.SimulatorConfig;
import io.vigil.evaluation.scorecard.Scenario;
import io.vigil.evaluation.scorecard.Scorecard;
import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What {@code ./vigil demo} shows, replayed in event time: the default 512-GPU cluster for 15 minutes, once without
 * faults and once with the default fault script, through the production detection job. Without faults nothing may
 * page; with them, each injected fault (GPU thermal, straggler, stall, CDU flow loss) is exactly one incident, with
 * its evidence.
 */
class DemoScriptITCase {

    @Test
    void theDefaultFaultScriptMakesOneIncidentPerFaultAndNormalOperationNone() throws Exception {
        SimulatorConfig demo = SimulatorConfig.defaults();
        Duration length = Duration.ofMinutes(15);
        Scenario quiet = new Scenario("demo-quiet", "15 minutes of normal operation", length, List.of(),
                Scenario.Disturbance.none(), false, List.of(), List.of(), demo);
        Scenario faults = new Scenario("demo-faults", "the default fault script", length,
                FaultScript.demo(ClusterTopology.build(demo)).faults(), Scenario.Disturbance.none(), false, List.of(),
                List.of(), demo);
        List<AlertEvent> alerts = Scorecard.detect(List.of(quiet, faults)).alerts();

        Map<String, List<AlertEvent>> pages = alerts.stream()
                .filter(a -> a.state() == AlertEvent.State.FIRING && "true".equals(a.labels().get("root"))
                        && a.severity() != AlertEvent.Severity.INFO)
                .collect(Collectors.groupingBy(a -> a.labels().get("cluster")));
        assertThat(pages.getOrDefault("demo-quiet", List.of())).isEmpty();

        Map<String, AlertEvent> incidents = pages.get("demo-faults").stream()
                .collect(Collectors.toMap(a -> a.fingerprint() + "@" + a.startsAt(), a -> a, (x, y) -> y));
        assertThat(incidents.values()).as(incidents.values().stream().map(a -> a.labels() + " " + a.summary() + " @"
                        + a.startsAt()).collect(Collectors.joining("\n"))).extracting(AlertEvent::type).containsExactlyInAnyOrder(AlertType.THERMAL,
                AlertType.STRAGGLER, AlertType.SYNC_STALL, AlertType.COOLING);
        for (AlertEvent a : incidents.values()) {
            assertThat(a.evidence()).as(a.summary()).isNotEmpty();
            switch (a.type()) {
                case THERMAL -> assertThat(a.labels()).containsEntry("host", "A02-n1").containsEntry("gpu", "3");
                case STRAGGLER -> assertThat(a.labels()).containsEntry("job", "job-2").containsEntry("rank", "5");
                case SYNC_STALL -> assertThat(a.labels()).containsEntry("job", "job-3").containsEntry("rank", "0");
                case COOLING -> assertThat(a.labels()).containsEntry("device", "CDU-2");
                default -> { }
            }
        }
        // The CDU incident lists the jobs on its racks, and carries the GPUs heating there.
        AlertEvent cdu = incidents.values().stream().filter(a -> a.type() == AlertType.COOLING).findFirst().orElseThrow();
        assertThat(cdu.summary()).contains("affects job-2, job-3");
        assertThat(alerts).filteredOn(a -> "false".equals(a.labels().get("root"))
                && cdu.fingerprint().equals(a.labels().get("incident"))).isNotEmpty();
    }
}
