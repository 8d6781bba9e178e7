package io.vigil.storage.writer;

import io.vigil.model.Decoded;
import io.vigil.model.NotificationAttempt;
import io.vigil.model.Silence;
import io.vigil.model.RejectReason;
import io.vigil.model.TelemetryValidator;
import io.vigil.model.WireFormat;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes telemetry, job events, alerts, notification attempts and silences from Kafka and writes them to PostgreSQL in batches with COPY.
 *
 * <p>Guarantee: at-least-once. Offsets are committed only after the batch's transaction commits, so a crash
 * between the two repeats the batch: sample rows may then appear twice, alert rows never do (they merge on
 * fingerprint and start). While the database is unreachable the writer pauses consumption, retries the same batch
 * with backoff and logs once per outage, so nothing is dropped. Records that fail validation are skipped and counted
 * per reason (the detection job publishes them to the dead-letter topic).
 */
public final class TelemetryWriter implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryWriter.class);

    private final WriterConfig config;
    private final Clock clock;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final WireFormat wire;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final Map<RejectReason, AtomicLong> skipped = new EnumMap<>(RejectReason.class);
    private volatile boolean databaseUp = true;
    private Connection connection;

    public WriterConfig config() {
        return config;
    }

    public TelemetryWriter(WriterConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.wire = new WireFormat(new TelemetryValidator(clock, Duration.ofMinutes(5)));
        for (RejectReason r : RejectReason.values()) {
            skipped.put(r, new AtomicLong());
        }
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(config.maxBatchRecords(), 10_000));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "vigil-storage-writer");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public void run() {
        var t = config.topics();
        consumer.subscribe(List.of(t.gpu(), t.power(), t.cooling(), t.jobs(), t.alerts(), t.notifications(),
                t.silences()));
        TelemetryBatch batch = new TelemetryBatch();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        long lastFlush = clock.millis();
        try {
            while (running.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (r.topic().equals(t.notifications()) || r.topic().equals(t.silences())) {
                        addOnCall(batch, r);
                        offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                        continue;
                    }
                    Decoded d = wire.decode(r.value());
                    if (d.isValid()) {
                        batch.add(d.record());
                    } else {
                        skipped.get(d.rejection().reason()).incrementAndGet();
                    }
                    offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                boolean due = clock.millis() - lastFlush >= config.flushInterval().toMillis();
                if (!offsets.isEmpty() && (batch.size() >= config.maxBatchRecords() || due)) {
                    if (flush(batch)) {
                        consumer.commitSync(offsets);
                        offsets.clear();
                        batch = new TelemetryBatch();
                    }
                    lastFlush = clock.millis();
                }
            }
            if (!offsets.isEmpty() && flush(batch)) {
                consumer.commitSync(offsets);
            }
        } catch (WakeupException e) {
            if (running.get()) throw e;
        } finally {
            consumer.close(Duration.ofSeconds(5));
            closeConnection();
        }
    }

    /** A notification attempt or a silence: written by Vigil's own jobs and dashboard, so one that fails to read is skipped and counted. */
    private void addOnCall(TelemetryBatch batch, ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) return; // a tombstone on the compacted silences topic
        try {
            if (r.topic().equals(config.topics().notifications())) {
                NotificationAttempt a = NotificationAttempt.decode(r.value());
                if (a.notificationId() == null || a.at() == null || a.action() == null || a.outcome() == null) {
                    throw new IllegalArgumentException("missing fields");
                }
                batch.add(a);
            } else {
                Silence s = Silence.decode(r.value());
                if (s.problem() != null || s.updatedAt() == null) throw new IllegalArgumentException(s.problem());
                batch.add(s);
            }
        } catch (RuntimeException e) {
            skipped.get(RejectReason.INVALID_FIELD).incrementAndGet();
            LOG.warn("Skipping an unreadable record on {} at offset {}: {}", r.topic(), r.offset(), e.getMessage());
        }
    }

    /** Writes the batch, retrying with backoff until it succeeds or the writer is closed. */
    private boolean flush(TelemetryBatch batch) {
        long backoffMs = 250;
        while (running.get() || batch.size() > 0) {
            try {
                if (batch.size() > 0) {
                    batch.writeTo(connection());
                }
                written.addAndGet(batch.size());
                batches.incrementAndGet();
                if (!databaseUp) {
                    databaseUp = true;
                    consumer.resume(consumer.paused());
                    LOG.info("Database reachable again; writing resumed");
                }
                return true;
            } catch (SQLException | RuntimeException e) {
                closeConnection();
                retries.incrementAndGet();
                if (databaseUp) {
                    databaseUp = false;
                    LOG.warn("Database write failed, pausing consumption and retrying: {}", e.getMessage());
                }
                // Keep the consumer in the group while paused: poll returns nothing for paused partitions.
                consumer.pause(consumer.assignment());
                consumer.poll(Duration.ZERO);
                if (!running.get()) {
                    return false;
                }
                sleep(backoffMs);
                backoffMs = Math.min(backoffMs * 2, config.maxRetryBackoff().toMillis());
            }
        }
        return false;
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password());
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // Already broken.
            }
            connection = null;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public long recordsWritten() {
        return written.get();
    }

    public long retries() {
        return retries.get();
    }

    public boolean databaseUp() {
        return databaseUp;
    }

    public long skipped(RejectReason reason) {
        return skipped.get(reason).get();
    }

    /** Stops after writing what was already read; safe to call from another thread. */
    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
    }
}
