package io.vigil.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.launcher.cluster.KafkaAccess;
import io.vigil.launcher.cluster.KafkaAccess.Role;
import io.vigil.launcher.embedded.BrokerSecurity;
import io.vigil.launcher.embedded.EmbeddedKafka;
import io.vigil.launcher.embedded.KafkaTls;
import io.vigil.model.Topics;
import io.vigil.model.config.KafkaSecurity;
import io.vigil.model.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Kafka node with the security of {@code ./vigil cluster --cluster.kafka-security=sasl-ssl}: only SASL/SCRAM
 * over TLS gets in, and each component's user may do what {@link KafkaAccess} grants it and nothing else.
 */
class KafkaSecurityITCase {

    static final Topics TOPICS = Topics.defaults();
    static final Settings SETTINGS = Settings.load(PlatformConfig.catalog(), null, Map.of(), Map.of());
    static Path data;
    static EmbeddedKafka kafka;
    static KafkaTls tls;
    static Map<String, String> passwords;

    @BeforeAll
    static void start() throws Exception {
        data = Path.of("target", "kafka-security-" + UUID.randomUUID()).toAbsolutePath();
        tls = KafkaTls.inDirectory(data.resolve("tls"));
        passwords = KafkaAccess.passwords(data.resolve("users.properties"));
        int port = freePort(), controller = freePort();
        BrokerSecurity security = new BrokerSecurity(tls.keystore(), tls.storePassword(), tls.truststore(),
                tls.storePassword(), KafkaTls.NODE_PRINCIPAL, "SCRAM-SHA-512", KafkaAccess.BROKER_USER,
                passwords.get(KafkaAccess.BROKER_USER), KafkaAccess.ADMIN_USER, passwords.get(KafkaAccess.ADMIN_USER));
        kafka = EmbeddedKafka.startNode(data.resolve("kafka"), 1, port, controller, "1@127.0.0.1:" + controller,
                org.apache.kafka.common.Uuid.randomUuid().toString(), 1, security);
        KafkaSecurity admin = user(KafkaAccess.ADMIN_USER, passwords.get(KafkaAccess.ADMIN_USER));
        EmbeddedKafka.createTopics(kafka.bootstrapServers(), admin, TOPICS, 1, 1);
        try (Admin a = Admin.create(client(admin))) {
            KafkaAccess.provision(a, "SCRAM-SHA-512", KafkaAccess.rolePasswords(passwords), TOPICS, SETTINGS);
        }
    }

    @AfterAll
    static void stop() {
        if (kafka != null) kafka.close();
    }

    @Test
    void aPlaintextClientIsRefused() {
        Map<String, Object> plain = client(KafkaSecurity.PLAINTEXT);
        plain.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        plain.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 4_000);
        try (Admin a = Admin.create(plain)) {
            // The TLS listener never answers a plaintext request: the client only times out.
            assertThatThrownBy(() -> a.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        }
    }

    @Test
    void aWrongPasswordIsRefused() {
        try (Admin a = Admin.create(client(user(Role.COLLECTOR.user(), "not-the-password")))) {
            assertThatThrownBy(() -> a.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SaslAuthenticationException.class);
        }
    }

    @Test
    void anUnknownUserIsRefused() {
        try (Admin a = Admin.create(client(user("somebody", passwords.get(Role.COLLECTOR.user()))))) {
            assertThatThrownBy(() -> a.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SaslAuthenticationException.class);
        }
    }

    @Test
    void aClientThatDoesNotTrustTheBrokersCertificateIsRefused() {
        KafkaSecurity noTruststore = new KafkaSecurity(KafkaSecurity.Protocol.SASL_SSL, "SCRAM-SHA-512",
                Role.COLLECTOR.user(), passwords.get(Role.COLLECTOR.user()), null, null);
        try (Admin a = Admin.create(client(noTruststore))) {
            assertThatThrownBy(() -> a.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SslAuthenticationException.class);
        }
    }

    @Test
    void collectorsWriteTelemetryAndNothingElse() throws Exception {
        try (KafkaProducer<byte[], byte[]> p = producer(Role.COLLECTOR, Map.of())) {
            assertThat(p.send(record(TOPICS.gpu())).get(30, TimeUnit.SECONDS).offset()).isNotNegative();
            assertThat(p.send(record(TOPICS.steps())).get(30, TimeUnit.SECONDS).offset()).isNotNegative();
            assertRefused(() -> p.send(record(TOPICS.alerts())).get(30, TimeUnit.SECONDS),
                    TopicAuthorizationException.class);
            assertRefused(() -> p.send(record(TOPICS.silences())).get(30, TimeUnit.SECONDS),
                    TopicAuthorizationException.class);
        }
        // Nor may a collector read telemetry back.
        assertRefused(() -> poll(Role.COLLECTOR, TOPICS.gpu(), "any-group"), GroupAuthorizationException.class,
                TopicAuthorizationException.class);
    }

    @Test
    void writersReadInTheirGroupAndWriteOnlyDeadLetters() throws Exception {
        try (KafkaProducer<byte[], byte[]> p = producer(Role.COLLECTOR, Map.of())) {
            p.send(record(TOPICS.power())).get(30, TimeUnit.SECONDS);
        }
        String group = SETTINGS.string("writer.group-id");
        assertThat(poll(Role.WRITER, TOPICS.power(), group)).isPositive();
        assertRefused(() -> poll(Role.WRITER, TOPICS.power(), "someone-elses-group"),
                GroupAuthorizationException.class);
        assertRefused(() -> poll(Role.WRITER, TOPICS.deadLetter(), group), TopicAuthorizationException.class);
        try (KafkaProducer<byte[], byte[]> p = producer(Role.WRITER, Map.of())) {
            assertThat(p.send(record(TOPICS.deadLetter())).get(30, TimeUnit.SECONDS).offset()).isNotNegative();
            assertRefused(() -> p.send(record(TOPICS.gpu())).get(30, TimeUnit.SECONDS),
                    TopicAuthorizationException.class);
        }
    }

    @Test
    void detectionWritesAlertsInTransactionsUnderItsPrefixOnly() throws Exception {
        String prefix = SETTINGS.string("detection.transactional-id-prefix");
        try (KafkaProducer<byte[], byte[]> p = producer(Role.DETECTION,
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, prefix + "-0-1"))) {
            p.initTransactions();
            p.beginTransaction();
            p.send(record(TOPICS.alerts()));
            p.commitTransaction();
        }
        try (KafkaProducer<byte[], byte[]> p = producer(Role.DETECTION,
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "another-prefix-0"))) {
            assertRefused(p::initTransactions, TransactionalIdAuthorizationException.class);
        }
        try (KafkaProducer<byte[], byte[]> p = producer(Role.DETECTION, Map.of())) {
            assertRefused(() -> p.send(record(TOPICS.silences())).get(30, TimeUnit.SECONDS),
                    TopicAuthorizationException.class);
        }
        assertRefused(() -> poll(Role.DETECTION, TOPICS.silences(), SETTINGS.string("detection.group-id")),
                TopicAuthorizationException.class);
    }

    @Test
    void theDashboardOnlyPublishesOperatorActions() throws Exception {
        try (KafkaProducer<byte[], byte[]> p = producer(Role.DASHBOARD, Map.of())) {
            assertThat(p.send(record(TOPICS.silences())).get(30, TimeUnit.SECONDS).offset()).isNotNegative();
            assertRefused(() -> p.send(record(TOPICS.alerts())).get(30, TimeUnit.SECONDS),
                    TopicAuthorizationException.class);
        }
        assertRefused(() -> poll(Role.DASHBOARD, TOPICS.alerts(), "vigil-dashboard"),
                GroupAuthorizationException.class, TopicAuthorizationException.class);
    }

    @Test
    void notificationsReadAlertsAndWriteAttempts() throws Exception {
        try (KafkaProducer<byte[], byte[]> p = producer(Role.NOTIFICATIONS, Map.of())) {
            assertThat(p.send(record(TOPICS.notifications())).get(30, TimeUnit.SECONDS).offset()).isNotNegative();
            assertRefused(() -> p.send(record(TOPICS.alerts())).get(30, TimeUnit.SECONDS),
                    TopicAuthorizationException.class);
        }
        try (KafkaProducer<byte[], byte[]> p = producer(Role.DASHBOARD, Map.of())) {
            p.send(record(TOPICS.silences())).get(30, TimeUnit.SECONDS);
        }
        String group = SETTINGS.string("notify.group-id");
        assertThat(poll(Role.NOTIFICATIONS, TOPICS.silences(), group + "-control")).isPositive();
    }

    // --- helpers

    static KafkaSecurity user(String name, String password) {
        return new KafkaSecurity(KafkaSecurity.Protocol.SASL_SSL, "SCRAM-SHA-512", name, password,
                tls.certificatePem().toString(), null);
    }

    static Map<String, Object> client(KafkaSecurity security) {
        Map<String, Object> p = new HashMap<>(security.clientProperties());
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return p;
    }

    static KafkaProducer<byte[], byte[]> producer(Role role, Map<String, Object> extra) {
        Map<String, Object> p = client(user(role.user(), passwords.get(role.user())));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.putAll(extra);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static ProducerRecord<byte[], byte[]> record(String topic) {
        return new ProducerRecord<>(topic, "k".getBytes(), "{}".getBytes());
    }

    /** Reads {@code topic} from its start in {@code group} until it sees a record (30 s at most): how many. */
    static int poll(Role role, String topic, String group) {
        Map<String, Object> p = client(user(role.user(), passwords.get(role.user())));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) return records.count();
            }
            return 0;
        }
    }

    @SafeVarargs
    static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call,
                              Class<? extends Throwable>... expected) {
        assertThatThrownBy(call).satisfies(t -> {
            Throwable cause = t instanceof ExecutionException && t.getCause() != null ? t.getCause() : t;
            assertThat(cause).isInstanceOfAny(expected);
        });
    }

    static int freePort() throws Exception {
        return io.vigil.testsupport.FreePorts.free();
    }
}
