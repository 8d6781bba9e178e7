package io.vigil.launcher.container;

import io.vigil.model.config.SettingSpecs;
import io.vigil.model.config.SettingSpecs.Range;
import io.vigil.model.config.Settings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a container of {@code docker-compose.yml} adds to the platform's settings: where its volume is, which Kafka
 * node it is, where the JobManager is. Kafka's nodes are the hosts of {@code kafka.bootstrap}, in order: node
 * {@code n} is the {@code n}-th, its controller on port 9093 of the same host.
 */
public record ContainerConfig(Path dataDir, String flinkJobManager, int kafkaNodeId, String kafkaClusterId) {

    /** The port of each Kafka node's controller listener. */
    public static final int KAFKA_CONTROLLER_PORT = 9093;

    /** The port of each Kafka node's Prometheus {@code /metrics} ({@code vigil_kafka_*}). */
    public static final int KAFKA_METRICS_PORT = 9254;

    /** The port of the job supervisor's Prometheus {@code /metrics} ({@code vigil_jobs_*}). */
    public static final int JOBS_METRICS_PORT = 9257;

    public static SettingSpecs settings() {
        return new SettingSpecs()
                .add("container.data-dir", "/var/lib/vigil",
                        "`docker-compose.yml`: the container's volume (Kafka's log, Flink's checkpoints, the users "
                        + "file)")
                .add("container.flink-jobmanager", "jobmanager",
                        "`docker-compose.yml`: host of the Flink JobManager (RPC and REST API)")
                .add("container.kafka-node-id", "1", Range.integer(1, 9),
                        "`docker-compose.yml`: this Kafka node's id; it is the id-th host of `kafka.bootstrap`")
                .add("container.kafka-cluster-id", "dmlnaWwtY29tcG9zZS0wMQ",
                        "`docker-compose.yml`: the Kafka cluster's id (22 characters of URL-safe base64), the same "
                        + "on every node");
    }

    public static ContainerConfig from(Settings s) {
        return new ContainerConfig(Path.of(s.required("container.data-dir")),
                s.required("container.flink-jobmanager"), s.integer("container.kafka-node-id"),
                s.required("container.kafka-cluster-id"));
    }

    /** {@code host:port} of each Kafka node, from {@code kafka.bootstrap}. */
    public static List<String[]> kafkaNodes(Settings s) {
        List<String[]> nodes = new ArrayList<>();
        for (String entry : s.required("kafka.bootstrap").split(",")) {
            String e = entry.trim();
            int colon = e.lastIndexOf(':');
            if (colon < 1) {
                throw new Settings.ConfigException("setting 'kafka.bootstrap': '" + e + "' is not HOST:PORT");
            }
            nodes.add(new String[] {e.substring(0, colon), e.substring(colon + 1)});
        }
        return nodes;
    }

    /** The KRaft controller quorum: {@code 1@kafka1:9093,2@kafka2:9093,...}. */
    public static String voters(List<String[]> nodes) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < nodes.size(); i++) {
            b.append(i > 0 ? "," : "").append(i + 1).append('@').append(nodes.get(i)[0]).append(':')
                    .append(KAFKA_CONTROLLER_PORT);
        }
        return b.toString();
    }

    /** Replication of every topic: 3, or the number of nodes when fewer. */
    public static int replication(List<String[]> nodes) {
        return Math.min(3, nodes.size());
    }

    public Path kafkaDir() {
        return dataDir.resolve("kafka");
    }

    public Path checkpointsDir() {
        return dataDir.resolve("flink-checkpoints");
    }

    public Path flinkTmpDir() {
        return dataDir.resolve("flink-tmp");
    }

    public String flinkRestUrl(int restPort) {
        return "http://" + flinkJobManager + ":" + restPort;
    }
}
