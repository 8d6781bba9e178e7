package io.vigil.dashboard.notifications;

import io.vigil.dashboard.security.AuditLog;
import io.vigil.dashboard.security.Role;
import io.vigil.model.LabelMatcher;
import io.vigil.model.Silence;
import io.vigil.model.Topics;
import io.vigil.model.WireFormat;
import io.vigil.model.config.KafkaSecurity;
import io.vigil.storage.query.NotificationQueries;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Service;

/**
 * Publishes operators' decisions — silences, maintenance windows, acknowledgements — to the compacted topic
 * {@code <prefix>silences}, keyed by id, where the notification job reads them as broadcast state. A publish returns
 * once the broker has the record ({@code acks=all}, idempotent producer), so an operator who saw "saved" is safe.
 * <p>This is the one door for operator actions, from the console and the API alike: it checks that the signed-in
 * user holds the operator role, records the user as the author (never a name the caller typed), and writes every
 * action, refused or failed ones too, to the {@link AuditLog}.
 */
@Service
public class OperatorActions implements DisposableBean {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final AuditLog audit;

    public OperatorActions(@Value("${vigil.kafka-bootstrap:}") String bootstrap,
                           @Value("${vigil.topics-prefix:vigil.}") String prefix, AuditLog audit,
                           @Value("${vigil.kafka-security-protocol:plaintext}") String securityProtocol,
                           @Value("${vigil.kafka-sasl-mechanism:SCRAM-SHA-512}") String saslMechanism,
                           @Value("${vigil.kafka-username:}") String username,
                           @Value("${vigil.kafka-password:}") String password,
                           @Value("${vigil.kafka-truststore:}") String truststore,
                           @Value("${vigil.kafka-truststore-password:}") String truststorePassword) {
        this.audit = audit;
        this.topic = new Topics(prefix).silences();
        if (bootstrap == null || bootstrap.isBlank()) {
            this.producer = null;
            return;
        }
        Map<String, Object> config = new java.util.HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, "vigil-dashboard-operator-actions",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000));
        config.putAll(KafkaSecurity.of(securityProtocol, saslMechanism, username, password, truststore,
                truststorePassword).clientProperties());
        this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    public boolean available() {
        return producer != null;
    }

    /** Whether the signed-in user may act (holds the operator role); views show their buttons by it. */
    public static boolean allowed() {
        Authentication a = SecurityContextHolder.getContext().getAuthentication();
        return a != null && a.isAuthenticated() && a.getAuthorities().stream()
                .anyMatch(g -> g.getAuthority().equals("ROLE_" + Role.OPERATOR.name()));
    }

    public Silence silence(Silence.Kind kind, List<LabelMatcher> matchers, Instant startsAt, Instant endsAt,
                           String comment) throws Exception {
        String action = kind == Silence.Kind.MAINTENANCE ? "MAINTENANCE" : "SILENCE";
        String by = operator(action, String.valueOf(matchers));
        Instant now = Instant.now();
        Silence s = new Silence((kind == Silence.Kind.MAINTENANCE ? "mnt-" : "sil-") + UUID.randomUUID(), kind,
                matchers, null, startsAt == null ? now : startsAt, endsAt, by, comment, now);
        return publish(action, s, matchers + " until " + endsAt);
    }

    /** Ends the silence or maintenance window a stored row describes, now (a newer record with the same id). */
    public Silence expire(NotificationQueries.SilenceRow row) throws Exception {
        operator("END_SILENCE", row.id());
        List<LabelMatcher> matchers = WireFormat.mapper().convertValue(row.matchers(),
                WireFormat.mapper().getTypeFactory().constructCollectionType(List.class, LabelMatcher.class));
        Instant now = Instant.now();
        Instant end = row.startsAt().isAfter(now) ? row.startsAt().plusMillis(1) : now;
        return publish("END_SILENCE", new Silence(row.id(), Silence.Kind.valueOf(row.kind()), matchers, null,
                row.startsAt(), end, row.createdBy(), row.comment(), now), null);
    }

    public Silence acknowledge(String incident, String comment) throws Exception {
        String by = operator("ACKNOWLEDGE", incident);
        Instant now = Instant.now();
        return publish("ACKNOWLEDGE", new Silence("ack-" + incident + "-" + now.toEpochMilli(), Silence.Kind.ACK,
                List.of(), incident, now, null, by, comment, now), comment);
    }

    /** The signed-in operator's name; refuses (and records the refusal) for anyone else. */
    private String operator(String action, String target) {
        if (!allowed()) {
            audit.action(action, target, "DENIED", "needs the operator role");
            throw new AccessDeniedException(action.toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                    + " needs the operator role");
        }
        return SecurityContextHolder.getContext().getAuthentication().getName();
    }

    private Silence publish(String action, Silence s, String detail) throws Exception {
        String target = s.incident() != null ? s.incident() : s.id();
        try {
            Silence done = publish(s);
            audit.action(action, target, "OK", detail);
            return done;
        } catch (Exception e) {
            audit.action(action, target, "FAILED", e.getMessage());
            throw e;
        }
    }

    private Silence publish(Silence s) throws Exception {
        if (producer == null) throw new IllegalStateException("operator actions need Kafka: set VIGIL_KAFKA_BOOTSTRAP");
        String problem = s.problem();
        if (problem != null) throw new IllegalArgumentException(problem);
        producer.send(new ProducerRecord<>(topic, s.id().getBytes(StandardCharsets.UTF_8), WireFormat.encode(s)))
                .get(20, TimeUnit.SECONDS);
        return s;
    }

    @Override
    public void destroy() {
        if (producer != null) producer.close(java.time.Duration.ofSeconds(5));
    }
}
