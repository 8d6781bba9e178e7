package io.vigil.detection.kafka;

import io.vigil.detection.ingest.RawTelemetry;
import io.vigil.model.AlertEvent;
import io.vigil.model.DeadLetter;
import io.vigil.model.Topics;
import io.vigil.model.WireFormat;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
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
 * <p>Guarantees: alerts are exactly-once. The alert sink writes in Kafka transactions committed when a checkpoint
 * completes, and the source's offsets are part of the same checkpoint, so a job restarted from a checkpoint emits
 * each firing and resolved event once. The price is latency: a {@code read_committed} consumer (the storage writer,
 * anything downstream) sees an alert only when the checkpoint after it completes, up to one checkpoint interval
 * later. Dead letters are at-least-once (flushed on every checkpoint): a restart may repeat one, never lose one.
 */
public final class KafkaWiring {

    private KafkaWiring() {}

    public static KafkaSource<RawTelemetry> telemetrySource(String bootstrap, Topics topics, String groupId) {
        Properties props = new Properties();
        props.setProperty("isolation.level", "read_committed");
        return KafkaSource.<RawTelemetry>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(topics.detectionInputs())
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setProperties(props)
                .setProperty("partition.discovery.interval.ms", "30000")
                .setDeserializer(new RawDeserializer())
                .build();
    }

    /** Transactions must outlive a checkpoint and a restart, and stay under the broker's 15-minute maximum. */
    static final String TRANSACTION_TIMEOUT_MS = String.valueOf(10 * 60 * 1000);

    public static KafkaSink<AlertEvent> alertSink(String bootstrap, Topics topics, String transactionalIdPrefix) {
        return KafkaSink.<AlertEvent>builder()
                .setBootstrapServers(bootstrap)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setProperty("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS)
                .setRecordSerializer((KafkaRecordSerializationSchema<AlertEvent>) (alert, context, timestamp) ->
                        new ProducerRecord<>(topics.alerts(), null, alert.eventTimeMs(),
                                alert.fingerprint().getBytes(StandardCharsets.UTF_8), WireFormat.encode(alert)))
                .build();
    }

    public static KafkaSink<DeadLetter> deadLetterSink(String bootstrap, Topics topics) {
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(bootstrap)
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setRecordSerializer((KafkaRecordSerializationSchema<DeadLetter>) (letter, context, timestamp) ->
                        new ProducerRecord<>(topics.deadLetter(), null, letter.rejectedAt().toEpochMilli(),
                                letter.reason().name().getBytes(StandardCharsets.UTF_8), WireFormat.encode(letter)))
                .build();
    }

    /** Passes bytes through untouched: decoding happens in the job, where a bad record can be dead-lettered. */
    static final class RawDeserializer implements KafkaRecordDeserializationSchema<RawTelemetry> {
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
