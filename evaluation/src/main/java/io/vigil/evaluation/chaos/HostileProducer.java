package io.vigil.evaluation.chaos;

import io.vigil.model.GpuSample;
import io.vigil.model.Origin;
import io.vigil.model.Topics;
import io.vigil.model.WireFormat;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes hostile records onto the telemetry topics, as a broken or malicious producer would: the README's reject
 * cases and worse — malformed and truncated JSON, binary noise, JSON nested 2,000 deep, a 900 KB record, an array, an
 * unknown schema, a GPU sample missing its fields, one 500 °C hot. Every one must be dead-lettered with its reason,
 * and none may stop a job or a writer. The valid-looking ones carry the origin collector {@code hostile}.
 * One record in {@link #OVERSIZED_EVERY} is the 900 KB one (a million of them would be 900 GB); the others cycle.
 */
final class HostileProducer {

    static final String COLLECTOR = "hostile";

    private final Map<String, Object> kafka;
    private final Topics topics;
    /** One hostile record in this many is the 900 KB one. */
    static final int OVERSIZED_EVERY = 10_000;

    private final List<byte[]> kinds = new ArrayList<>();
    private final byte[] oversized;
    private final java.util.concurrent.atomic.AtomicLong acknowledged = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();

    HostileProducer(Map<String, Object> kafka, Topics topics) {
        this.kafka = kafka;
        this.topics = topics;
        kinds.add("{\"schema\":".getBytes(StandardCharsets.UTF_8));
        byte[] noise = new byte[256];
        new Random(7).nextBytes(noise);
        kinds.add(noise);
        kinds.add(("[".repeat(2000) + "]".repeat(2000)).getBytes(StandardCharsets.UTF_8));
        oversized = ("{\"schema\":\"vigil.gpu.v1\",\"junk\":\"" + "x".repeat(900_000) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        kinds.add("[1,2,3]".getBytes(StandardCharsets.UTF_8));
        kinds.add("{\"schema\":\"vigil.nope.v9\"}".getBytes(StandardCharsets.UTF_8));
        kinds.add("{\"schema\":\"vigil.gpu.v1\",\"ts\":1}".getBytes(StandardCharsets.UTF_8));
        kinds.add(WireFormat.encode(GpuSample.builder().ts(System.currentTimeMillis()).cluster("demo").host("A01-n1")
                .gpu(0).uuid("GPU-hostile").gpuTempC(500.0).origin(new Origin(COLLECTOR, 1, 0)).build()));
    }

    /** Sends {@code count} records at {@code perSecond}, cycling through the kinds. */
    void run(long count, double perSecond) throws InterruptedException {
        Map<String, Object> config = new java.util.HashMap<>(kafka);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 << 20);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            long intervalNanos = (long) (1e9 / perSecond);
            long next = System.nanoTime();
            for (long i = 0; i < count; i++) {
                byte[] value = i % OVERSIZED_EVERY == OVERSIZED_EVERY - 1 ? oversized
                        : kinds.get((int) (i % kinds.size()));
                producer.send(new ProducerRecord<>(topics.gpu(), value), (m, e) -> {
                    if (e == null) acknowledged.incrementAndGet();
                    else refused.incrementAndGet();
                });
                // Paced in steps of a millisecond or more: below that, sleep's granularity is the rate.
                next += intervalNanos;
                long wait = next - System.nanoTime();
                if (wait > 1_000_000) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            producer.flush();
        }
    }

    /** Hostile records Kafka took: what the platform received. */
    long sent() {
        return acknowledged.get();
    }

    /** Hostile records Kafka itself refused (too large for the broker): they never reached Vigil. */
    long refusedByKafka() {
        return refused.get();
    }
}
