package io.vigil.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.evaluation.chaos.ChaosResult;
import io.vigil.evaluation.chaos.ClusterChaos;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The short set of failure scenarios ({@link ClusterChaos#SHORT_SET}), each on a fresh {@code ./vigil cluster}:
 * every part its own process (three Kafka brokers, a Flink JobManager and two TaskManagers, two writers, PostgreSQL,
 * two collectors). After the fault and a clean stop of the collectors, every record each collector says it published
 * is stored exactly once (none lost, none repeated), and no alert event appears twice on the alert topic read
 * {@code read_committed}. {@code ./vigil chaos} runs the full set with the same code. R1 runs on a cluster whose Kafka
 * takes SASL/SCRAM over TLS only, every component its own user with ACLs ({@code cluster.kafka-security=sasl-ssl}):
 * the whole path, the alert sink's transaction recovery included, works with each component allowed only its part.
 */
@Tag("cluster")
class ClusterFailureITCase {

    /** The scenarios of the README's test command: R1 (a TaskManager killed, on SASL/SCRAM over TLS). */
    static final java.util.List<ClusterChaos.Scenario> SCENARIOS = ClusterChaos.SHORT_SET.subList(0, 1);

    /** The rest of the short set (R6, PostgreSQL killed mid-batch): about 3.5 minutes, tagged long. */
    static final java.util.List<ClusterChaos.Scenario> LONG_SCENARIOS =
            ClusterChaos.SHORT_SET.subList(1, ClusterChaos.SHORT_SET.size());

    @ParameterizedTest
    @FieldSource("SCENARIOS")
    void nothingIsLostOrRepeated(ClusterChaos.Scenario scenario) throws Exception {
        check(scenario);
    }

    @Tag("long")
    @ParameterizedTest
    @FieldSource("LONG_SCENARIOS")
    void nothingIsLostOrRepeatedInTheLongSet(ClusterChaos.Scenario scenario) throws Exception {
        check(scenario);
    }

    private static void check(ClusterChaos.Scenario scenario) throws Exception {
        java.util.Map<String, String> settings = scenario == ClusterChaos.Scenario.R1
                ? java.util.Map.of("cluster.kafka-security", "sasl-ssl") : java.util.Map.of();
        ClusterChaos chaos = new ClusterChaos(Path.of("..").toAbsolutePath().normalize(), 8, Duration.ofSeconds(15),
                settings, System.out);
        ChaosResult r = chaos.run(scenario);
        assertThat(r.recordsIn()).as("records published").isPositive();
        assertThat(r.lost()).as("lost").isZero();
        assertThat(r.duplicated()).as("stored twice").isZero();
        assertThat(r.deadLettered()).as("dead-lettered").isZero();
        assertThat(r.stored()).isEqualTo(r.recordsIn());
        assertThat(r.alertEvents()).as("alert events of the scripted faults").isPositive();
        assertThat(r.duplicateAlerts()).as("alert events seen twice").isZero();
        assertThat(r.recoverySeconds()).as("recovered").isNotNegative();
    }
}
