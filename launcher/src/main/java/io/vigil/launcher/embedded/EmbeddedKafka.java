package io.vigil.launcher.embedded;

import io.vigil.model.Topics;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.TransactionVersion;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker in KRaft mode (combined broker and controller) running in this JVM, with its log
 * in {@code dataDir}: formatted on first start, reused afterwards. Listens on 127.0.0.1 only.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private final int port;
    private final KafkaRaftServer server;

    private EmbeddedKafka(int port, KafkaRaftServer server) {
        this.port = port;
        this.server = server;
    }

    public static EmbeddedKafka start(Path dataDir, int port) throws Exception {
        int brokerPort = port == 0 ? freePort() : port;
        int controllerPort = freePort();
        return startNode(dataDir, 1, brokerPort, controllerPort, "1@127.0.0.1:" + controllerPort,
                Uuid.randomUuid().toString(), 1);
    }

    /**
     * One node of a KRaft cluster, broker and controller in one: {@code voters} is the controller quorum
     * ({@code id@host:port,...}), {@code replication} the replication factor of the internal topics and the
     * default for new ones ({@code min.insync.replicas} one less, at least 1). Every node of a cluster is formatted
     * with the same {@code clusterId}.
     */
    public static EmbeddedKafka startNode(Path dataDir, int nodeId, int brokerPort, int controllerPort, String voters,
                                          String clusterId, int replication) throws Exception {
        Path logDir = dataDir.toAbsolutePath();
        Files.createDirectories(logDir);
        String minIsr = String.valueOf(Math.max(1, replication - 1));
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(nodeId));
        p.put("controller.quorum.voters", voters);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", String.valueOf(replication));
        p.put("min.insync.replicas", minIsr);
        p.put("offsets.topic.replication.factor", String.valueOf(replication));
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", String.valueOf(replication));
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", String.valueOf(replication));
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        p.put("group.initial.rebalance.delay.ms", "0");
        // A replica that loses its leader is out of sync quickly, so a dead broker's partitions move on in seconds.
        p.put("replica.lag.time.max.ms", "10000");
        // The demo keeps a few hours of telemetry in Kafka; PostgreSQL keeps the history.
        p.put("log.retention.hours", "6");
        p.put("log.retention.bytes", String.valueOf(2L * 1024 * 1024 * 1024));
        p.put("log.segment.bytes", String.valueOf(128 * 1024 * 1024));
        KafkaConfig config = new KafkaConfig(p, false);

        boolean formatted = Files.exists(logDir.resolve("meta.properties"));
        if (!formatted) {
            new Formatter()
                    .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                    .setClusterId(clusterId)
                    .setNodeId(nodeId)
                    .addDirectory(logDir.toString())
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName("CONTROLLER")
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    // Transactions v1: v2 (KIP-890, Kafka 4's default) has open recovery issues in Flink's Kafka
                    // sink (FLINK-40689: a recommit after an epoch rollover fails), and the alert stream relies on it.
                    .setFeatureLevel(TransactionVersion.FEATURE_NAME, TransactionVersion.TV_1.featureLevel())
                    .setIgnoreFormatted(true)
                    .run();
        }
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        return new EmbeddedKafka(brokerPort, server);
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /**
     * Creates Vigil's topics if missing: telemetry with several partitions, alerts with one (one total order), the
     * silences topic compacted.
     */
    public static void createTopics(String bootstrap, Topics topics, int telemetryPartitions) throws Exception {
        createTopics(bootstrap, topics, telemetryPartitions, 1);
    }

    /** The same, each topic with {@code replication} replicas ({@code min.insync.replicas} one less, at least 1). */
    public static void createTopics(String bootstrap, Topics topics, int telemetryPartitions, int replication)
            throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String t : topics.all()) {
                if (!existing.contains(t)) {
                    boolean telemetry = topics.telemetry().contains(t);
                    NewTopic topic = new NewTopic(t, telemetry ? telemetryPartitions : 1, (short) replication);
                    Map<String, String> configs = new java.util.HashMap<>();
                    configs.put("min.insync.replicas", String.valueOf(Math.max(1, replication - 1)));
                    if (t.equals(topics.silences())) {
                        // The newest record per silence id is the truth; compaction keeps it past the retention.
                        configs.put("cleanup.policy", "compact");
                    }
                    if (t.equals(topics.deadLetter())) {
                        // A dead letter carries its refused record in base64: larger than the record itself.
                        configs.put("max.message.bytes", String.valueOf(io.vigil.model.DeadLetter.MAX_RECORD_BYTES));
                    }
                    topic.configs(configs);
                    missing.add(topic);
                }
            }
            try {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
