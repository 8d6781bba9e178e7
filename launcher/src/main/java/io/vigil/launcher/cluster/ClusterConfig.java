package io.vigil.launcher.cluster;

import io.vigil.launcher.PlatformConfig;
import io.vigil.model.config.SettingSpecs;
import io.vigil.model.config.SettingSpecs.Range;
import io.vigil.model.config.Settings;
import java.util.Map;

/**
 * What {@code ./vigil cluster} adds to the demo's settings ({@link PlatformConfig}): how many of each process, and
 * the ports of the processes the demo does not have. Brokers listen on {@code kafka.embedded-port} and the ports
 * after it, their controllers on {@code cluster.kafka-controller-port} and after.
 */
public record ClusterConfig(PlatformConfig platform, int brokers, int controllerPort, int flinkRestPort,
                            int flinkRpcPort, int taskManagers, int taskSlots, String taskManagerMemory,
                            int writers, int collectors, boolean kafkaSecure) {

    /** {@code ./vigil cluster}'s own keys. */
    public static SettingSpecs settings() {
        return new SettingSpecs()
                .add("cluster.kafka-brokers", "3", Range.integer(1, 9),
                        "`./vigil cluster`: Kafka nodes (broker and KRaft controller "
                        + "each) on `kafka.embedded-port` and the next ports; replication 3 (or fewer brokers), "
                        + "`min.insync.replicas` one less")
                .add("cluster.kafka-controller-port", "9192", Range.integer(1, 65535),
                        "controller port of the first Kafka node; the others "
                        + "use the next ports")
                .add("cluster.flink-rest-port", "8081", Range.integer(1, 65535),
                        "the Flink JobManager's REST API and web UI (`--flink-port`)")
                .add("cluster.flink-rpc-port", "6123", Range.integer(1, 65535), "the Flink JobManager's RPC port")
                .add("cluster.task-managers", "2", Range.integer(1, 16),
                        "Flink TaskManager processes (`--task-managers`)")
                .add("cluster.task-slots", "3", Range.integer(1, 64),
                        "slots per TaskManager (one TaskManager can then run every job "
                        + "alone)")
                .add("cluster.taskmanager-memory", "1536m", "process memory of each TaskManager")
                .add("cluster.writers", "2", Range.integer(1, 16),
                        "writer processes, in one consumer group (`--writers`)")
                .add("cluster.collectors", "2", Range.integer(1, 64),
                        "collector processes, each publishing its share of the simulated "
                        + "hosts (`--collectors`)")
                .add("cluster.kafka-security", "plaintext", Range.oneOf("plaintext", "sasl-ssl"),
                        "`sasl-ssl`: the brokers take SASL/SCRAM over TLS only, "
                        + "and every kind of component is its own Kafka user with ACLs (`--kafka-security`)")
                .add("cluster.metrics-base-port", "9260", Range.integer(0, 65000),
                        "`./vigil cluster`'s Prometheus `/metrics` on 127.0.0.1: Flink's processes on the first free "
                        + "port from this one (of ten), Kafka node n on +10+n, writer i on +20+i, collector i on "
                        + "+30+i, the dashboard on +40; 0: off");
    }

    public static Map<String, String> defaults() {
        return settings().defaults();
    }

    /** One line per key, for the README's configuration table. */
    public static Map<String, String> descriptions() {
        return settings().descriptions();
    }

    public static ClusterConfig from(PlatformConfig platform) {
        Settings s = platform.settings();
        ClusterConfig c = new ClusterConfig(platform, s.integer("cluster.kafka-brokers"),
                s.integer("cluster.kafka-controller-port"), s.integer("cluster.flink-rest-port"),
                s.integer("cluster.flink-rpc-port"), s.integer("cluster.task-managers"),
                s.integer("cluster.task-slots"), s.string("cluster.taskmanager-memory"),
                s.integer("cluster.writers"), s.integer("cluster.collectors"),
                kafkaSecure(s.string("cluster.kafka-security")));
        if (platform.externalKafka() != null) {
            throw new Settings.ConfigException("./vigil cluster runs its own Kafka brokers: leave kafka.bootstrap "
                    + "(--kafka) empty");
        }
        if (platform.kafkaPort() == 0) {
            throw new Settings.ConfigException("./vigil cluster needs fixed broker ports: kafka.embedded-port > 0");
        }
        return c;
    }

    private static boolean kafkaSecure(String v) {
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "plaintext" -> false;
            case "sasl-ssl" -> true;
            default -> throw new Settings.ConfigException("setting 'cluster.kafka-security' = '" + v
                    + "': expected plaintext or sasl-ssl");
        };
    }

    /** Replication factor of every topic: 3, or the number of brokers when fewer. */
    public int replication() {
        return Math.min(3, brokers);
    }

    public int brokerPort(int node) {
        return platform.kafkaPort() + node - 1;
    }

    public int controllerPort(int node) {
        return controllerPort + node - 1;
    }

    public String bootstrap() {
        StringBuilder b = new StringBuilder();
        for (int n = 1; n <= brokers; n++) b.append(n > 1 ? "," : "").append("127.0.0.1:").append(brokerPort(n));
        return b.toString();
    }

    public String voters() {
        StringBuilder b = new StringBuilder();
        for (int n = 1; n <= brokers; n++) {
            b.append(n > 1 ? "," : "").append(n).append("@127.0.0.1:").append(controllerPort(n));
        }
        return b.toString();
    }
}
