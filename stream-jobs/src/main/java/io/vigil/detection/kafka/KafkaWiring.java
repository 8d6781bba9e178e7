package io.vigil.detection.kafka;

import io.vigil.detection.ingest.RawTelemetry;
import io.vigil.model.AlertEvent;
import io.vigil.model.DeadLetter;
import io.vigil.model.Topics;
import io.vigil.model.WireFormat;
import io.vigil.model.config.KafkaSecurity;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.flink.util.Collector;

/**
 * The Kafka source and sinks of the detection job.
 *
 * <p>Guarantees. Alerts are exactly-once by default: the sink writes in Kafka transactions committed when a checkpoint
 * completes, and the source's offsets are in the same checkpoint, so a job restarted from a checkpoint emits each
 * firing and resolved event once ({@code ExactlyOnceAlertsITCase}). The price is latency: a {@code read_committed}
 * consumer (the storage writer, anything downstream) sees an alert only when the checkpoint after it completes, up to
 * one checkpoint interval later. {@code detection.alert-delivery=at-least-once} trades that for repeats after a
 * restart, recognisable by each event's origin and sequence. Dead letters are at-least-once.
 */
public final class KafkaWiring {

    private KafkaWiring() {}

    public static KafkaSource<RawTelemetry> telemetrySource(String bootstrap, KafkaSecurity security, Topics topics,
                                                            String groupId) {
        return telemetrySource(bootstrap, security, topics, groupId, new RawDeserializer());
    }

    /** The same source with another deserializer (tests inject a failure with one). */
    public static KafkaSource<RawTelemetry> telemetrySource(String bootstrap, KafkaSecurity security, Topics topics,
                                                            String groupId,
                                                            KafkaRecordDeserializationSchema<RawTelemetry> deserializer) {
        Properties props = new Properties();
        props.putAll(security.clientProperties());
        props.setProperty("isolation.level", "read_committed");
        return KafkaSource.<RawTelemetry>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(topics.detectionInputs())
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setProperties(props)
                .setProperty("partition.discovery.interval.ms", "30000")
                .setDeserializer(deserializer)
                .build();
    }

    /** Transactions must outlive a checkpoint and a restart, and stay under the broker's 15-minute maximum. */
    static final String TRANSACTION_TIMEOUT_MS = String.valueOf(10 * 60 * 1000);

    public static KafkaSink<AlertEvent> alertSink(String bootstrap, KafkaSecurity security, Topics topics,
                                                  String transactionalIdPrefix, DeliveryGuarantee guarantee) {
        return KafkaSink.<AlertEvent>builder()
                .setBootstrapServers(bootstrap)
                .setKafkaProducerConfig(security.asProperties())
                .setDeliveryGuarantee(guarantee)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setTransactionNamingStrategy(TransactionNamingStrategy.POOLING)
                .setProperty("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS)
                // The builder's serializer names its topic, which the POOLING naming strategy needs.
                .setRecordSerializer(KafkaRecordSerializationSchema.<AlertEvent>builder()
                        .setTopic(topics.alerts())
                        .setKeySerializationSchema(new AlertKey())
                        .setValueSerializationSchema(new AlertValue())
                        .build())
                .build();
    }

    public static KafkaSink<DeadLetter> deadLetterSink(String bootstrap, KafkaSecurity security, Topics topics) {
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(bootstrap)
                .setKafkaProducerConfig(security.asProperties())
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                // A dead letter carries the refused record, which may be as large as Kafka allows, and more in base64.
                .setProperty("max.request.size", String.valueOf(DeadLetter.MAX_RECORD_BYTES))
                // A flood of bad records (chaos R8: 2,000 a second) must not throttle the job: with 16 KB batches on
                // the one dead-letter partition, five requests in flight could not carry it, the producer's buffer
                // filled and the dead-letter sink back-pressured the source. Larger, compressed batches (dead letters
                // repeat their structure, and a refused record often repeats itself) carry it in far fewer requests.
                .setProperty("batch.size", String.valueOf(256 * 1024))
                .setProperty("linger.ms", "20")
                .setProperty("compression.type", "lz4")
                .setRecordSerializer((KafkaRecordSerializationSchema<DeadLetter>) (letter, context, timestamp) ->
                        new ProducerRecord<>(topics.deadLetter(), null, letter.rejectedAt().toEpochMilli(),
                                letter.reason().name().getBytes(StandardCharsets.UTF_8), WireFormat.encode(letter)))
                .build();
    }

    /** An alert's Kafka key: its fingerprint, so one problem's events stay in order on one partition. */
    static final class AlertKey implements SerializationSchema<AlertEvent> {
        @Override
        public byte[] serialize(AlertEvent alert) {
            return alert.fingerprint().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** An alert's Kafka value: the wire format. */
    static final class AlertValue implements SerializationSchema<AlertEvent> {
        @Override
        public byte[] serialize(AlertEvent alert) {
            return WireFormat.encode(alert);
        }
    }

    /** Passes bytes through untouched: decoding happens in the job, where a bad record can be dead-lettered. */
    public static class RawDeserializer implements KafkaRecordDeserializationSchema<RawTelemetry> {
        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawTelemetry> out) {
            out.collect(new RawTelemetry(record.topic(), record.partition(), record.offset(), record.value()));
        }

        @Override
        public TypeInformation<RawTelemetry> getProducedType() {
            return TypeInformation.of(RawTelemetry.class);
        }
    }
}
