package io.vigil.collectors.kafka;

import io.vigil.collectors.TelemetrySink;
import io.vigil.model.AlertEvent;
import io.vigil.model.CoolingSample;
import io.vigil.model.GpuSample;
import io.vigil.model.JobEvent;
import io.vigil.model.PowerSample;
import io.vigil.model.TelemetryRecord;
import io.vigil.model.Topics;
import io.vigil.model.WireFormat;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes telemetry to Kafka, one JSON record per sample, keyed by the entity (GPU, device or job) so that one
 * entity's samples stay in order on one partition.
 *
 * <p>Guarantee: at-least-once with an idempotent producer ({@code acks=all}), so broker retries within one producer
 * session add no duplicates. Records still buffered when the process dies are lost; the disk spool that closes that
 * gap comes with the real collectors.
 */
public final class KafkaTelemetryPublisher implements TelemetrySink {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTelemetryPublisher.class);

    private final KafkaProducer<String, byte[]> producer;
    private final Topics topics;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<String> lastError = new AtomicReference<>();

    public KafkaTelemetryPublisher(String bootstrapServers, Topics topics, Map<String, Object> overrides) {
        this.topics = topics;
        Properties p = producerConfig(bootstrapServers, overrides);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * The producer settings every collector uses: idempotent, {@code acks=all}, lz4, batched; {@code overrides}
     * last.
     */
    public static Properties producerConfig(String bootstrapServers, Map<String, Object> overrides) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // Batching: at 1 Hz scrapes a few ms of lingering turns thousands of small sends into a few large ones.
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Duration.ofMinutes(2).toMillis());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "vigil-collector");
        p.putAll(overrides);
        return p;
    }

    @Override
    public void publish(TelemetryRecord record) {
        String topic = topics.topicFor(record.schema());
        producer.send(new ProducerRecord<>(topic, null, record.eventTimeMs(), key(record), WireFormat.encode(record)),
                (meta, error) -> {
                    if (error == null) {
                        sent.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        String msg = error.getClass().getSimpleName() + ": " + error.getMessage();
                        // Log once per distinct error, not once per record.
                        if (!msg.equals(lastError.getAndSet(msg))) {
                            LOG.warn("Kafka send to {} failed: {}", topic, msg);
                        }
                    }
                });
    }

    /** The Kafka key of a record: its entity, so one entity's records stay in order on one partition. */
    public static String key(TelemetryRecord r) {
        if (r instanceof GpuSample s) return s.gpuKey();
        if (r instanceof PowerSample s) return s.cluster() + "/" + s.device();
        if (r instanceof CoolingSample s) return s.cluster() + "/" + s.device();
        if (r instanceof JobEvent e) return e.cluster() + "/" + e.jobId();
        if (r instanceof io.vigil.model.StepEvent e) return e.cluster() + "/" + e.jobId() + "/" + e.rank();
        if (r instanceof AlertEvent a) return a.fingerprint();
        throw new IllegalArgumentException("no Kafka key for a " + r.schema() + " record");
    }

    public long sent() {
        return sent.get();
    }

    public long failed() {
        return failed.get();
    }

    /**
     * Fetches the topics' metadata now, so the first record is not held up by it: a collector that stamps its clock
     * before it can send would otherwise start behind the wall clock by the broker's answer time.
     */
    public void connect() {
        for (String t : topics.telemetry()) producer.partitionsFor(t);
    }

    @Override
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
