package io.vigil.dashboard.notifications;

import io.vigil.model.LabelMatcher;
import io.vigil.model.Silence;
import io.vigil.model.Topics;
import io.vigil.model.WireFormat;
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
import org.springframework.stereotype.Service;

/**
 * Publishes operators' decisions — silences, maintenance windows, acknowledgements — to the compacted topic
 * {@code <prefix>silences}, keyed by id, where the notification job reads them as broadcast state. A publish returns
 * once the broker has the record ({@code acks=all}, idempotent producer), so an operator who saw "saved" is safe.
 */
@Service
public class OperatorActions implements DisposableBean {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;

    public OperatorActions(@Value("${vigil.kafka-bootstrap:}") String bootstrap,
                           @Value("${vigil.topics-prefix:vigil.}") String prefix) {
        this.topic = new Topics(prefix).silences();
        if (bootstrap == null || bootstrap.isBlank()) {
            this.producer = null;
            return;
        }
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, "vigil-dashboard-operator-actions",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    public boolean available() {
        return producer != null;
    }

    public Silence silence(Silence.Kind kind, List<LabelMatcher> matchers, Instant startsAt, Instant endsAt,
                           String by, String comment) throws Exception {
        Instant now = Instant.now();
        Silence s = new Silence((kind == Silence.Kind.MAINTENANCE ? "mnt-" : "sil-") + UUID.randomUUID(), kind,
                matchers, null, startsAt == null ? now : startsAt, endsAt, by, comment, now);
        return publish(s);
    }

    /** Ends a silence or maintenance window now (a newer record with the same id). */
    public Silence expire(Silence existing) throws Exception {
        Instant now = Instant.now();
        Instant end = existing.startsAt().isAfter(now) ? existing.startsAt().plusMillis(1) : now;
        return publish(new Silence(existing.id(), existing.kind(), existing.matchers(), existing.incident(),
                existing.startsAt(), end, existing.createdBy(), existing.comment(), now));
    }

    /** Ends the silence or maintenance window a stored row describes, now. */
    public Silence expire(NotificationQueries.SilenceRow row) throws Exception {
        List<LabelMatcher> matchers = WireFormat.mapper().convertValue(row.matchers(),
                WireFormat.mapper().getTypeFactory().constructCollectionType(List.class, LabelMatcher.class));
        return expire(new Silence(row.id(), Silence.Kind.valueOf(row.kind()), matchers, null, row.startsAt(),
                row.endsAt(), row.createdBy(), row.comment(), row.updatedAt()));
    }

    public Silence acknowledge(String incident, String by, String comment) throws Exception {
        Instant now = Instant.now();
        return publish(new Silence("ack-" + incident + "-" + now.toEpochMilli(), Silence.Kind.ACK, List.of(), incident,
                now, null, by, comment, now));
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
