package io.vigil.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vigil.collectors.spool.SpoolingPublisher;
import io.vigil.launcher.embedded.EmbeddedKafka;
import io.vigil.model.GpuSample;
import io.vigil.model.Topics;
import io.vigil.model.WireFormat;
import io.vigil.testsupport.GpuSamples;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * A collector publishing through its disk spool while the (real) broker is stopped and restarted: afterwards every
 * sample is in the topic exactly once, in order per GPU.
 */
class KafkaOutageITCase {

    @Test
    void aBrokerOutageLosesAndDuplicatesNothing() throws Exception {
        Path data = Path.of("target", "kafka-outage-" + UUID.randomUUID()).toAbsolutePath();
        int port = freePort();
        Topics topics = Topics.defaults();
        EmbeddedKafka kafka = EmbeddedKafka.start(data.resolve("kafka"), port);
        EmbeddedKafka.createTopics(kafka.bootstrapServers(), topics, 2);
        String bootstrap = kafka.bootstrapServers();
        int perPhase = 2_000;
        SpoolingPublisher publisher = new SpoolingPublisher(bootstrap, topics, data.resolve("spool"), 64L << 20,
                Map.of("reconnect.backoff.max.ms", 1_000));
        try {
            publish(publisher, 0, perPhase);
            await().atMost(Duration.ofMinutes(2)).until(() -> publisher.spoolDepth() == 0);

            kafka.close();
            publish(publisher, perPhase, 2 * perPhase);
            // While the broker is down the samples wait on disk.
            await().atMost(Duration.ofMinutes(1)).until(() -> !publisher.kafkaUp());
            assertThat(publisher.spoolDepth()).isPositive();
            publish(publisher, 2 * perPhase, 3 * perPhase);
            // The outage lasts as long as it takes to get here, or -Dvigil.outage.seconds=60 to hold it that long.
            Thread.sleep(Long.getLong("vigil.outage.seconds", 0) * 1000);

            kafka = EmbeddedKafka.start(data.resolve("kafka"), port);
            publish(publisher, 3 * perPhase, 4 * perPhase);
            await().atMost(Duration.ofMinutes(2)).until(() -> publisher.spoolDepth() == 0);
            assertThat(publisher.droppedRecords()).isZero();
            assertThat(publisher.rejected()).isZero();
        } finally {
            publisher.close();
        }
        try {
            Map<String, List<Long>> byGpu = new HashMap<>();
            List<ConsumerRecord<byte[], byte[]>> all = readAll(bootstrap, topics.gpu());
            for (ConsumerRecord<byte[], byte[]> r : all) {
                GpuSample s = WireFormat.mapper().readValue(r.value(), GpuSample.class);
                byGpu.computeIfAbsent(s.gpuKey(), k -> new ArrayList<>()).add(s.origin().sequence());
            }
            assertThat(all).hasSize(4 * perPhase);
            for (List<Long> seqs : byGpu.values()) {
                assertThat(seqs).isSorted().doesNotHaveDuplicates();
            }
            assertThat(byGpu.values().stream().mapToInt(List::size).sum()).isEqualTo(4 * perPhase);
        } finally {
            kafka.close();
        }
    }

    private static void publish(SpoolingPublisher publisher, int from, int to) {
        for (int i = from; i < to; i++) {
            GpuSample s = GpuSamples.healthy("h" + (i % 4), i % 8, GpuSamples.T0 + i)
                    .origin(new io.vigil.model.Origin("outage-test", 1, i)).build();
            publisher.publish(s);
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 30_000;
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    private static int freePort() throws IOException {
        return io.vigil.testsupport.FreePorts.free();
    }
}
