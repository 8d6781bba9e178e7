package io.vigil.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.detection.DetectionJobMain;
import io.vigil.model.Topics;
import io.vigil.notify.NotificationJobMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code docker-compose.yml} (which cannot run here: no container engine) kept true to the code: every topic Vigil
 * uses created, the Kafka image the clients' version, three brokers that survive losing one, the Flink checkpoint
 * interval the jobs' own, both Flink jobs submitted. ({@code .ci/run} also validates the file with
 * {@code docker-compose config -q}.)
 */
class ComposeFileTest {

    @SuppressWarnings("unchecked")
    static Map<String, Object> services() throws Exception {
        Map<String, Object> compose = new Yaml().load(Files.readString(Path.of("..", "docker-compose.yml")));
        return (Map<String, Object>) compose.get("services");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> service(String name) throws Exception {
        Map<String, Object> s = (Map<String, Object>) services().get(name);
        assertThat(s).as("service " + name).isNotNull();
        return s;
    }

    @SuppressWarnings("unchecked")
    static String command(Map<String, Object> service) {
        Object c = service.get("command");
        return c instanceof List<?> l ? String.join(" ", (List<String>) l) : String.valueOf(c);
    }

    @Test
    @SuppressWarnings("unchecked")
    void threeBrokersOfTheClientsVersionCreateEveryTopicVigilUses() throws Exception {
        String kafkaVersion = AppInfoParser.getVersion();
        for (String broker : List.of("kafka1", "kafka2", "kafka3")) {
            Map<String, Object> s = service(broker);
            assertThat(s.get("image")).isEqualTo("apache/kafka:" + kafkaVersion);
            Map<String, Object> env = (Map<String, Object>) s.get("environment");
            assertThat(env).containsEntry("KAFKA_DEFAULT_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_MIN_INSYNC_REPLICAS", "2")
                    .containsEntry("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@kafka1:9093,2@kafka2:9093,3@kafka3:9093");
        }
        Map<String, Object> topics = service("kafka-topics");
        assertThat(topics.get("image")).isEqualTo("apache/kafka:" + kafkaVersion);
        String script = command(topics);
        for (String topic : Topics.defaults().all()) {
            String name = topic.substring(Topics.DEFAULT_PREFIX.length());
            assertThat(script).as("topic " + topic).containsPattern("(for t in [^;]*\\b" + java.util.regex.Pattern.quote(name)
                    + "\\b|--topic vigil\\." + java.util.regex.Pattern.quote(name) + " )");
        }
        assertThat(script).contains("--topic vigil.silences --partitions 1 --replication-factor 3 --config cleanup.policy=compact");
        assertThat(script).contains("--topic vigil.deadletter --partitions 1 --replication-factor 3 --config "
                + "max.message.bytes=" + io.vigil.model.DeadLetter.MAX_RECORD_BYTES);
        String bootstrap = String.valueOf(((Map<String, Object>) service("writer").get("environment"))
                .get("VIGIL_KAFKA_BOOTSTRAP"));
        assertThat(bootstrap).isEqualTo("kafka1:9092,kafka2:9092,kafka3:9092");
    }

    @Test
    @SuppressWarnings("unchecked")
    void flinkCheckpointsAsTheJobsDoAndBothJobsAreSubmitted() throws Exception {
        String flink = String.valueOf(((Map<String, Object>) service("jobmanager").get("environment"))
                .get("FLINK_PROPERTIES"));
        assertThat(flink).contains("execution.checkpointing.interval: "
                + DetectionJobMain.defaults().get("detection.checkpoint-interval"));
        assertThat(DetectionJobMain.defaults().get("detection.checkpoint-interval"))
                .isEqualTo(NotificationJobMain.defaults().get("notify.checkpoint-interval"));
        assertThat(command(service("detection-job"))).contains("-c io.vigil.detection.DetectionJobMain")
                .contains("vigil-stream-jobs-");
        Map<String, Object> notify = service("notification-job");
        assertThat(command(notify)).contains("-c io.vigil.notify.NotificationJobMain").contains("vigil-notifications-");
        assertThat((List<String>) notify.get("volumes")).anyMatch(v -> v.startsWith("./deploy/notify-routing.compose.yml:"));
        assertThat(Files.readString(Path.of("..", "deploy", "notify-routing.compose.yml")))
                .contains("http://dashboard:8080/api/v1/inbox");
        assertThat(String.valueOf(service("timescaledb").get("image"))).startsWith("timescale/timescaledb:2.17.");
    }
}
