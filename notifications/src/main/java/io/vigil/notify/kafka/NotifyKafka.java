package io.vigil.notify.kafka;

import io.vigil.model.AlertEvent;
import io.vigil.model.JobEvent;
import io.vigil.model.NotificationAttempt;
import io.vigil.model.Silence;
import io.vigil.model.Topics;
import io.vigil.model.WireFormat;
import io.vigil.model.config.KafkaSecurity;
import io.vigil.notify.incident.NotifyControl;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notification job's Kafka sources and sink.
 *
 * <p>Alerts are read {@code read_committed}, so only alerts of completed detection checkpoints are notified, from
 * the offsets of the job's last checkpoint, or the earliest on a first start: replaying history pages only
 * incidents still firing, since a firing alert resolved within the replay is resolved within its group wait.
 * Silences and job events are read from the earliest offset, always: every notifier needs all of them.
 * Attempts are written at-least-once; each carries its notification id and attempt number.
 */
public final class NotifyKafka {
    private static final Logger LOG = LoggerFactory.getLogger(NotifyKafka.class);

    private NotifyKafka() {}

    public static KafkaSource<AlertEvent> alertSource(String bootstrap, KafkaSecurity security, Topics topics,
                                                      String groupId) {
        return KafkaSource.<AlertEvent>builder()
                .setBootstrapServers(bootstrap)
                .setProperties(security.asProperties())
                .setTopics(topics.alerts())
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setProperty("isolation.level", "read_committed")
                .setDeserializer(new AlertDeserializer())
                .build();
    }

    public static KafkaSource<NotifyControl> controlSource(String bootstrap, KafkaSecurity security, Topics topics,
                                                           String groupId) {
        return KafkaSource.<NotifyControl>builder()
                .setBootstrapServers(bootstrap)
                .setProperties(security.asProperties())
                .setTopics(List.of(topics.silences(), topics.jobs()))
                .setGroupId(groupId + "-control")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setProperty("isolation.level", "read_committed")
                .setDeserializer(new ControlDeserializer(topics.silences()))
                .build();
    }

    public static KafkaSink<NotificationAttempt> attemptSink(String bootstrap, KafkaSecurity security,
                                                             Topics topics) {
        String topic = topics.notifications();
        return KafkaSink.<NotificationAttempt>builder()
                .setBootstrapServers(bootstrap)
                .setKafkaProducerConfig(security.asProperties())
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setRecordSerializer((KafkaRecordSerializationSchema<NotificationAttempt>) (a, context, timestamp) ->
                        new ProducerRecord<>(topic, null, a.at().toEpochMilli(),
                                a.incident().getBytes(StandardCharsets.UTF_8), WireFormat.encode(a)))
                .build();
    }

    /** An alert that does not decode is skipped with a warning: detection wrote it, so it is a bug, not data. */
    static final class AlertDeserializer implements KafkaRecordDeserializationSchema<AlertEvent> {
        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<AlertEvent> out) {
            try {
                AlertEvent a = WireFormat.mapper().readValue(record.value(), AlertEvent.class);
                if (a.fingerprint() != null && a.state() != null && a.startsAt() != null && a.type() != null) {
                    out.collect(a);
                    return;
                }
            } catch (Exception e) {
                // reported below
            }
            LOG.warn("Skipping an unreadable alert at {}-{} offset {}", record.topic(), record.partition(),
                    record.offset());
        }

        @Override
        public TypeInformation<AlertEvent> getProducedType() {
            return TypeInformation.of(AlertEvent.class);
        }
    }

    static final class ControlDeserializer implements KafkaRecordDeserializationSchema<NotifyControl> {
        private final String silenceTopic;

        ControlDeserializer(String silenceTopic) {
            this.silenceTopic = silenceTopic;
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<NotifyControl> out) {
            if (record.value() == null) return; // a tombstone
            try {
                if (record.topic().equals(silenceTopic)) {
                    Silence s = Silence.decode(record.value());
                    String problem = s.problem();
                    if (problem == null) out.collect(NotifyControl.of(s));
                    else LOG.warn("Ignoring silence at offset {}: {}", record.offset(), problem);
                } else {
                    JobEvent j = WireFormat.mapper().readValue(record.value(), JobEvent.class);
                    if (j.jobId() != null && j.kind() != null && j.cluster() != null) out.collect(NotifyControl.of(j));
                }
            } catch (Exception e) {
                LOG.warn("Ignoring unreadable record on {} at offset {}: {}", record.topic(), record.offset(),
                        e.getMessage());
            }
        }

        @Override
        public TypeInformation<NotifyControl> getProducedType() {
            return TypeInformation.of(NotifyControl.class);
        }
    }

}
