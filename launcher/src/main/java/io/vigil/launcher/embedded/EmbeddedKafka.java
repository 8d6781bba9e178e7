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
                Uuid.randomUuid().toString(), 1, null);
    }

    /**
     * One node of a KRaft cluster, broker and controller in one: {@code voters} is the controller quorum
     * ({@code id@host:port,...}), {@code replication} the replication factor of the internal topics and the
     * default for new ones ({@code min.insync.replicas} one less, at least 1). Every node of a cluster is formatted
     * with the same {@code clusterId}. With {@code security} (null: plain text) clients must authenticate with
     * SASL/SCRAM over TLS and ACLs decide what they may do ({@link BrokerSecurity}).
     */
    public static EmbeddedKafka startNode(Path dataDir, int nodeId, int brokerPort, int controllerPort, String voters,
                                          String clusterId, int replication, BrokerSecurity security)
            throws Exception {
        return startNode(dataDir, nodeId, LOOPBACK, LOOPBACK, brokerPort, controllerPort, voters, clusterId,
                replication, security);
    }

    private static final String LOOPBACK = "127.0.0.1";

    /**
     * The same, listening on {@code listenHost} (0.0.0.0 in a container) and telling clients to connect to
     * {@code advertisedHost} (the container's name on its network).
     */
    public static EmbeddedKafka startNode(Path dataDir, int nodeId, String listenHost, String advertisedHost,
                                          int brokerPort, int controllerPort, String voters, String clusterId,
                                          int replication, BrokerSecurity security) throws Exception {
        Path logDir = dataDir.toAbsolutePath();
        Files.createDirectories(logDir);
        String minIsr = String.valueOf(Math.max(1, replication - 1));
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(nodeId));
        p.put("controller.quorum.voters", voters);
        p.put("controller.listener.names", "CONTROLLER");
        if (security == null) {
            p.put("listeners", "PLAINTEXT://" + listenHost + ":" + brokerPort + ",CONTROLLER://" + listenHost + ":"
                    + controllerPort);
            p.put("advertised.listeners", "PLAINTEXT://" + advertisedHost + ":" + brokerPort);
            p.put("inter.broker.listener.name", "PLAINTEXT");
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        } else {
            secure(p, security, listenHost, advertisedHost, brokerPort, controllerPort);
        }
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
            Formatter formatter = new Formatter()
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
                    .setIgnoreFormatted(true);
            if (security != null) formatter.setScramArguments(security.scramArguments());
            formatter.run();
        }
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        return new EmbeddedKafka(brokerPort, server);
    }

    /**
     * Client connections: SASL/SCRAM over TLS on the one advertised listener, which the nodes also use among
     * themselves (as the broker user); the controller listener takes mutual TLS only.
     */
    private static void secure(Properties p, BrokerSecurity s, String listenHost, String advertisedHost,
                               int brokerPort, int controllerPort) {
        String mechanism = s.mechanism();
        p.put("listeners", "SASL_SSL://" + listenHost + ":" + brokerPort + ",CONTROLLER://" + listenHost + ":"
                + controllerPort);
        p.put("advertised.listeners", "SASL_SSL://" + advertisedHost + ":" + brokerPort);
        p.put("inter.broker.listener.name", "SASL_SSL");
        p.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:SSL");
        p.put("sasl.enabled.mechanisms", mechanism);
        p.put("sasl.mechanism.inter.broker.protocol", mechanism);
        p.put("listener.name.sasl_ssl." + mechanism.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + s.brokerUser()
                        + "\" password=\"" + s.brokerPassword() + "\";");
        p.put("ssl.keystore.type", "PKCS12");
        p.put("ssl.keystore.location", s.keystore().toString());
        p.put("ssl.keystore.password", s.keystorePassword());
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.location", s.truststore().toString());
        p.put("ssl.truststore.password", s.truststorePassword());
        p.put("listener.name.controller.ssl.client.auth", "required");
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("super.users", s.superUsers());
        p.put("allow.everyone.if.no.acl.found", "false");
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
        createTopics(bootstrap, io.vigil.model.config.KafkaSecurity.PLAINTEXT, topics, telemetryPartitions, 1);
    }

    /** The same, each topic with {@code replication} replicas ({@code min.insync.replicas} one less, at least 1). */
    public static void createTopics(String bootstrap, io.vigil.model.config.KafkaSecurity security, Topics topics,
                                    int telemetryPartitions, int replication) throws Exception {
        Map<String, Object> client = security.clientProperties();
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(client)) {
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
