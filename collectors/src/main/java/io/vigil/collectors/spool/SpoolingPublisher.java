package io.vigil.collectors.spool;

import io.vigil.collectors.TelemetrySink;
import io.vigil.collectors.kafka.KafkaTelemetryPublisher;
import io.vigil.model.TelemetryRecord;
import io.vigil.model.Topics;
import io.vigil.model.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes telemetry through a local disk spool, so that collection never waits for Kafka and nothing is lost
 * while Kafka is unreachable. Every record is appended to the spool first; one sender thread sends the spool in
 * order and acknowledges a batch only when Kafka has acknowledged all of it.
 *
 * <p>Guarantee: while the collector runs, exactly-once and in order per key into Kafka, even across a broker
 * outage: the producer is idempotent and retries without a deadline, so a record is never given up on and sent a
 * second time. Across a crash of the collector, at-least-once: the batch in flight at the crash is sent again.
 * When the spool reaches its size limit, its oldest segment is dropped, counted and logged.
 */
public final class SpoolingPublisher implements TelemetrySink {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolingPublisher.class);
    private static final int BATCH = 5_000;

    private final DiskQueue spool;
    private final Topics topics;
    private final KafkaProducer<String, byte[]> producer;
    private final Thread sender;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean kafkaUp = true;

    public SpoolingPublisher(String bootstrap, Topics topics, Path spoolDir, long maxSpoolBytes,
                             Map<String, Object> overrides) throws IOException {
        this.spool = new DiskQueue(spoolDir, maxSpoolBytes, Math.min(64L << 20, maxSpoolBytes / 4));
        this.topics = topics;
        Map<String, Object> settings = new java.util.HashMap<>();
        // Never give up on a record: a record given up on and sent again could be a duplicate.
        settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        // Do not block for a minute when Kafka is away: give up handing over after 5 s and try again.
        settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        settings.putAll(overrides);
        Properties p = KafkaTelemetryPublisher.producerConfig(bootstrap, settings);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        if (spool.depth() > 0) {
            LOG.info("Spool {} holds {} records from a previous run; sending them first", spoolDir, spool.depth());
        }
        this.sender = new Thread(this::sendLoop, "vigil-spool-sender");
        sender.start();
    }

    @Override
    public void publish(TelemetryRecord record) {
        spool.append(frame(topics.topicFor(record.schema()), KafkaTelemetryPublisher.key(record),
                WireFormat.encode(record)));
    }

    private void sendLoop() {
        List<Future<RecordMetadata>> inFlight = new ArrayList<>(BATCH);
        List<byte[]> entries = new ArrayList<>(BATCH);
        while (running || spool.depth() > 0) {
            try {
                inFlight.clear();
                entries.clear();
                byte[] entry = spool.next(200);
                while (entry != null) {
                    inFlight.add(sendUntilAccepted(entry));
                    entries.add(entry);
                    entry = inFlight.size() < BATCH ? spool.next(0) : null;
                }
                if (inFlight.isEmpty()) {
                    if (!running) break;
                    continue;
                }
                waitForAcks(inFlight, entries);
                spool.ack(inFlight.size());
            } catch (InterruptedException | IllegalStateException e) {
                // Closing: what Kafka has not acknowledged stays in the spool for the next start.
                spool.rewind();
                break;
            }
        }
    }

    /**
     * Hands one record to the producer, waiting as long as Kafka is unreachable. The same record is retried only
     * when the producer refused to take it (no metadata, full buffer), never once it has taken it: resending a
     * record the producer holds would duplicate it.
     */
    private Future<RecordMetadata> sendUntilAccepted(byte[] entry) throws InterruptedException {
        while (true) {
            try {
                return send(entry);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                markDown();
                if (!running) throw new IllegalStateException("closing while Kafka is unreachable");
                Thread.sleep(500);
            }
        }
    }

    private void markDown() {
        if (kafkaUp) {
            kafkaUp = false;
            LOG.warn("Kafka is not acknowledging; spooling to disk ({} records waiting)", spool.depth());
        }
    }

    private void waitForAcks(List<Future<RecordMetadata>> inFlight, List<byte[]> entries) throws InterruptedException {
        for (int i = 0; i < inFlight.size(); i++) {
            Future<RecordMetadata> f = inFlight.get(i);
            while (true) {
                try {
                    f.get(10, java.util.concurrent.TimeUnit.SECONDS);
                    sent.incrementAndGet();
                    if (!kafkaUp) {
                        kafkaUp = true;
                        LOG.info("Kafka reachable again; sending the spool ({} records waiting)", spool.depth());
                    }
                    break;
                } catch (java.util.concurrent.TimeoutException slow) {
                    markDown();
                    if (!running) throw new IllegalStateException("closing while Kafka is unreachable");
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof org.apache.kafka.common.errors.RetriableException) {
                        // Refused before it was handed over (metadata lost between check and send): send it again.
                        markDown();
                        f = sendUntilAccepted(entries.get(i));
                        continue;
                    }
                    // Not retriable (e.g. a record too large): count it and move on rather than block the spool.
                    rejected.incrementAndGet();
                    LOG.error("Kafka refused a record: {}", e.getCause().toString());
                    break;
                }
            }
        }
    }

    private Future<RecordMetadata> send(byte[] entry) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(entry))) {
            String topic = in.readUTF();
            String key = in.readUTF();
            byte[] value = in.readAllBytes();
            // Throws TimeoutException while the topic's metadata cannot be had (Kafka away), before anything is
            // handed over; send() itself would instead return a failed future after the same wait.
            producer.partitionsFor(topic);
            return producer.send(new ProducerRecord<>(topic, key, value));
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt spool entry", e);
        }
    }

    private static byte[] frame(String topic, String key, byte[] value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length + 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(topic);
            out.writeUTF(key);
            out.write(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public long spoolDepth() {
        return spool.depth();
    }

    public long droppedRecords() {
        return spool.droppedRecords();
    }

    public long sent() {
        return sent.get();
    }

    public long rejected() {
        return rejected.get();
    }

    public boolean kafkaUp() {
        return kafkaUp;
    }

    /** Waits until everything published so far is acknowledged by Kafka (or the publisher is closed). */
    @Override
    public void flush() {
        while (spool.depth() > 0 && sender.isAlive()) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Sends what is spooled if Kafka answers within a few seconds; otherwise leaves it on disk for the next run.
     */
    @Override
    public void close() {
        running = false;
        try {
            sender.join(Duration.ofSeconds(15).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        sender.interrupt();
        try {
            sender.join(5_000);
            spool.close();
        } catch (InterruptedException | IOException e) {
            LOG.warn("Closing the spool: {}", e.toString());
        }
        if (spool.depth() > 0) {
            LOG.warn("{} records remain in the spool; they will be sent on the next start", spool.depth());
        }
    }
}
