package io.vigil.launcher.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.launcher.PlatformConfig;
import io.vigil.model.config.Settings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerConfigTest {

    static Settings settings(Map<String, String> env) {
        return Settings.load(PlatformConfig.catalog(), null, env, Map.of());
    }

    @Test
    void theKafkaNodesAreTheBootstrapHostsInOrderWithTheirControllersOn9093() {
        Settings s = settings(Map.of("VIGIL_KAFKA_BOOTSTRAP", "kafka1:9092, kafka2:9092,kafka3:9092"));
        List<String[]> nodes = ContainerConfig.kafkaNodes(s);
        assertThat(nodes).extracting(n -> n[0] + "/" + n[1]).containsExactly("kafka1/9092", "kafka2/9092", "kafka3/9092");
        assertThat(ContainerConfig.voters(nodes)).isEqualTo("1@kafka1:9093,2@kafka2:9093,3@kafka3:9093");
        assertThat(ContainerConfig.replication(nodes)).isEqualTo(3);
        assertThat(ContainerConfig.replication(nodes.subList(0, 1))).isEqualTo(1);
    }

    @Test
    void aBootstrapEntryWithoutAPortIsAClearError() {
        Settings s = settings(Map.of("VIGIL_KAFKA_BOOTSTRAP", "kafka1"));
        assertThatThrownBy(() -> ContainerConfig.kafkaNodes(s)).isInstanceOf(Settings.ConfigException.class)
                .hasMessageContaining("'kafka1' is not HOST:PORT");
    }

    @Test
    void aNodeIdBeyondTheBootstrapListIsRefusedBeforeAnythingStarts() {
        Settings s = settings(Map.of("VIGIL_KAFKA_BOOTSTRAP", "kafka1:9092", "VIGIL_CONTAINER_KAFKA_NODE_ID", "2"));
        assertThatThrownBy(() -> ContainerMain.kafkaNode(s)).isInstanceOf(Settings.ConfigException.class)
                .hasMessageContaining("container.kafka-node-id 2 but kafka.bootstrap names 1 node(s)");
    }

    @Test
    void theVolumeHoldsKafkasLogAndFlinksCheckpoints() {
        ContainerConfig c = ContainerConfig.from(settings(Map.of("VIGIL_CONTAINER_DATA_DIR", "/data")));
        assertThat(c.kafkaDir()).hasToString("/data/kafka");
        assertThat(c.checkpointsDir()).hasToString("/data/flink-checkpoints");
        assertThat(c.flinkRestUrl(8081)).isEqualTo("http://jobmanager:8081");
    }
}
