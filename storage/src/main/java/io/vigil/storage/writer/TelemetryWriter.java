package io.vigil.storage.writer;

import io.vigil.model.DeadLetter;
import io.vigil.model.Decoded;
import io.vigil.model.NotificationAttempt;
import io.vigil.model.RejectReason;
import io.vigil.model.Rejection;
import io.vigil.model.Silence;
import io.vigil.model.TelemetryRecord;
import io.vigil.model.TelemetryValidator;
import io.vigil.model.WireFormat;
import io.vigil.storage.retention.RetentionMaintainer;
import io.vigil.storage.rollup.RollupRefresher;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes telemetry, job events, alerts, notification attempts and silences from Kafka and writes them to
 * PostgreSQL in batches with COPY.
 *
 * <p>Guarantee: exactly once. Each batch's rows and the Kafka offsets after it are committed in one database
 * transaction (table {@code writer_offset}); when partitions are assigned — at start, after a crash or a kill -9, on
 * a rebalance — the writer resumes from the offsets in the database, not from Kafka's. A crash before the commit
 * leaves neither rows nor offsets, a crash after it leaves both, so no row is repeated or lost. (Offsets are also
 * committed to Kafka afterwards, best effort, so consumer-lag tools see progress; a database without offsets, as
 * one from before this writer, starts from them.)
 *
 * <p>Errors. An outage — the database unreachable, restarting, out of connections — pauses consumption, logged once
 * per outage, and drops the batch that failed and what was read after it; when the database answers again, every
 * partition is read again from the offsets it holds, so nothing is dropped even when the database lost commits it had
 * acknowledged (found by {@code ./vigil chaos} R6: the embedded database commits asynchronously). A data error — the database refuses a
 * record (a NUL character in a text field, a value out of a column's range) — is found by splitting the batch until
 * the refused records are alone; they go to the dead-letter topic with reason {@link RejectReason#DATABASE_REJECTED}
 * and the database's message, and the rest of the batch is written. Records that fail validation are skipped and
 * counted per reason (the detection job publishes them to the dead-letter topic).
 *
 * <p>Throughput: the database writes one batch on its own thread while the consumer thread reads and decodes the
 * next (one batch in flight at most, so memory stays at two batches). Batches still commit one after another, in
 * order, each with its offsets.
 *
 * <p>Retention: at start and every {@code writer.maintenance-interval} the writer runs {@link RetentionMaintainer}
 * (day partitions made ahead and dropped after {@code writer.retention-raw}, rollups deleted after theirs).
 */
public final class TelemetryWriter implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TelemetryWriter.class);

    /** A record read, and where it came from. */
    private record Pending(Object record, ConsumerRecord<byte[], byte[]> source) {}

    /** A record the database refused, and its message. */
    private record Refused(Pending pending, String message) {}

    /** Records read and the offsets after them: what one transaction writes. */
    private record Batch(List<Pending> records, Map<TopicPartition, Long> offsets) {}

    private final WriterConfig config;
    private final Clock clock;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> deadLetters;
    private final WireFormat wire;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final Map<RejectReason, AtomicLong> skipped = new EnumMap<>(RejectReason.class);
    /** Records Kafka holds twice (a collector's spool sending a batch again after a kill): stored once. */
    private final RepeatFilter repeats = new RepeatFilter();
    private final AtomicLong repeatsSkipped = new AtomicLong();
    /** Records refused by the database (dead-lettered), and the time spent writing batches. */
    private final AtomicLong refusedByDatabase = new AtomicLong();
    private final AtomicLong writeNanos = new AtomicLong();
    /** The consumer's largest lag over its partitions, read on the consumer's thread about once a second. */
    private volatile double consumerLagRecords = Double.NaN;
    private long nextLagReadMs;
    private final Set<String> collectorTopics;
    /** The batch being read; the one before it may be in flight meanwhile. */
    private List<Pending> pending = new ArrayList<>();
    private Map<TopicPartition, Long> nextOffsets = new HashMap<>();
    /**
     * The database work runs on its own thread, so the next batch is read and decoded while the database writes the
     * last one (one in flight at most). The connection is used by one thread at a time: the consumer thread touches
     * it only after {@link #finishInFlight}.
     */
    private final java.util.concurrent.ExecutorService database = java.util.concurrent.Executors
            .newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "vigil-writer-database");
                t.setDaemon(true);
                return t;
            });
    private Batch inFlightBatch;
    private java.util.concurrent.Future<List<Refused>> inFlight;
    /** Counts rebalances that took partitions away, so a batch retried across one is dropped, not written. */
    private long revocations;
    /** Assigned partitions not yet positioned at the database's offsets: paused until they are. */
    private final Set<TopicPartition> unpositioned = new HashSet<>();
    /** Set by an outage: positioning then sends a partition without a stored offset back to its beginning. */
    private boolean rereadAfterOutage;
    private volatile boolean databaseUp = true;
    private Connection connection;
    private final RetentionMaintainer retention;
    private long nextMaintenance = Long.MIN_VALUE;
    private final RollupRefresher rollups;
    private long nextRollupRefresh = Long.MIN_VALUE;

    public WriterConfig config() {
        return config;
    }

    public TelemetryWriter(WriterConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.wire = new WireFormat(new TelemetryValidator(clock, config.maxFutureSkew()));
        this.retention = new RetentionMaintainer(config.retention());
        this.rollups = new RollupRefresher(config.retention().minute());
        for (RejectReason r : RejectReason.values()) {
            skipped.put(r, new AtomicLong());
        }
        this.collectorTopics = Set.copyOf(config.topics().telemetry());
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(config.maxBatchRecords(), 10_000));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "vigil-storage-writer");
        p.putAll(config.kafkaSecurity().clientProperties());
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Properties d = new Properties();
        d.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        d.put(ProducerConfig.ACKS_CONFIG, "all");
        d.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        d.put(ProducerConfig.CLIENT_ID_CONFIG, "vigil-storage-writer-deadletters");
        d.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, DeadLetter.MAX_RECORD_BYTES);
        d.putAll(config.kafkaSecurity().clientProperties());
        this.deadLetters = new KafkaProducer<>(d, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public void run() {
        var t = config.topics();
        consumer.subscribe(List.of(t.gpu(), t.power(), t.cooling(), t.jobs(), t.alerts(), t.notifications(),
                t.silences()), new Rebalance());
        long lastFlush = clock.millis();
        long backoffMs = 250;
        try {
            while (running.get()) {
                if (!unpositioned.isEmpty()) {
                    if (finishInFlight() && positionFromDatabase()) {
                        backoffMs = 250;
                    } else {
                        consumer.poll(Duration.ZERO); // stay in the group
                        sleep(backoffMs);
                        backoffMs = Math.min(backoffMs * 2, config.maxRetryBackoff().toMillis());
                        continue;
                    }
                }
                maintainWhenDue();
                refreshRollupsWhenDue();
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                readLag();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    read(r);
                    nextOffsets.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                }
                if (inFlight != null && inFlight.isDone()) {
                    finishInFlight(); // counted and acknowledged now, even when nothing more arrives
                }
                boolean due = clock.millis() - lastFlush >= config.flushInterval().toMillis();
                if (!nextOffsets.isEmpty() && (pending.size() >= config.maxBatchRecords() || due)) {
                    if (finishInFlight() && !nextOffsets.isEmpty()) {
                        Batch b = new Batch(pending, nextOffsets);
                        pending = new ArrayList<>();
                        nextOffsets = new HashMap<>();
                        inFlightBatch = b;
                        inFlight = database.submit(() -> writeOnce(b));
                    }
                    lastFlush = clock.millis();
                }
            }
            if (finishInFlight() && !nextOffsets.isEmpty()) {
                flush(new Batch(pending, nextOffsets));
            }
        } catch (WakeupException e) {
            if (running.get()) throw e;
        } finally {
            awaitInFlightQuietly();
            database.shutdown();
            consumer.close(Duration.ofSeconds(5));
            deadLetters.close(Duration.ofSeconds(5));
            closeConnection();
        }
    }

    /** Retention and partitions ahead, at start and then every maintenance interval; a failure waits for the next. */
    private void maintainWhenDue() {
        long now = clock.millis();
        if (now < nextMaintenance || !databaseUp) return;
        nextMaintenance = now + config.retention().interval().toMillis();
        if (!finishInFlight()) return;
        try {
            retention.run(connection(), clock.instant());
        } catch (SQLException | RuntimeException e) {
            closeConnection();
            LOG.warn("Retention maintenance failed; next try in {}: {}", config.retention().interval(), e.getMessage());
        }
    }

    /**
     * The per-rack and per-job rollups for the minutes written since the last refresh, every
     * {@code writer.rollup-refresh-interval}; a failure leaves the marks for the next run.
     */
    private void refreshRollupsWhenDue() {
        long now = clock.millis();
        if (now < nextRollupRefresh || !databaseUp) return;
        nextRollupRefresh = now + config.rollupRefresh().toMillis();
        if (!finishInFlight()) return;
        try {
            rollups.run(connection(), clock.instant());
        } catch (SQLException | RuntimeException e) {
            closeConnection();
            LOG.warn("Rollup refresh failed; next try in {}: {}", config.rollupRefresh(), e.getMessage());
        }
    }

    private void read(ConsumerRecord<byte[], byte[]> r) {
        var t = config.topics();
        if (r.value() == null) return; // a tombstone on the compacted silences topic
        if (r.topic().equals(t.notifications()) || r.topic().equals(t.silences())) {
            // Written by Vigil's own jobs and dashboard: one that does not read is skipped and counted.
            try {
                if (r.topic().equals(t.notifications())) {
                    NotificationAttempt a = NotificationAttempt.decode(r.value());
                    if (a.notificationId() == null || a.at() == null || a.action() == null || a.outcome() == null) {
                        throw new IllegalArgumentException("missing fields");
                    }
                    pending.add(new Pending(a, r));
                } else {
                    Silence s = Silence.decode(r.value());
                    if (s.problem() != null || s.updatedAt() == null) throw new IllegalArgumentException(s.problem());
                    pending.add(new Pending(s, r));
                }
            } catch (RuntimeException e) {
                skipped.get(RejectReason.INVALID_FIELD).incrementAndGet();
                LOG.warn("Skipping an unreadable record on {} at offset {}: {}", r.topic(), r.offset(), e.getMessage());
            }
            return;
        }
        Decoded d = wire.decode(r.value());
        if (d.isValid()) {
            // Only the collectors' topics: their records' origins are one per record (OriginStamper).
            if (collectorTopics.contains(r.topic())
                    && !repeats.firstTime(new TopicPartition(r.topic(), r.partition()), d.record().origin())) {
                long n = repeatsSkipped.incrementAndGet();
                if (n == 1 || n % 10_000 == 0) {
                    LOG.info("Skipped {} records Kafka holds twice (a collector's spool sent them again after a "
                            + "restart); each is stored once", n);
                }
                return;
            }
            pending.add(new Pending(d.record(), r));
        } else {
            skipped.get(d.rejection().reason()).incrementAndGet();
        }
    }

    /**
     * Completes the batch in flight, if any: counts it and commits its offsets to Kafka too; after an outage, retries
     * it here with backoff as {@link #flush} does. False when the writer was closed before it could be written.
     */
    private boolean finishInFlight() {
        if (inFlight == null) return true;
        Batch b = inFlightBatch;
        java.util.concurrent.Future<List<Refused>> f = inFlight;
        inFlight = null;
        inFlightBatch = null;
        try {
            written(b, f.get());
            return true;
        } catch (java.util.concurrent.ExecutionException e) {
            outage(e.getCause());
            rereadFromDatabase();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * After an outage the database's offsets are the truth: the database may have lost transactions it acknowledged
     * before it went (a crash with {@code synchronous_commit} off, a failover to an asynchronous replica), and then
     * neither the batch that failed nor what was read after it may be written with offsets past the lost ones. So
     * both are dropped, every partition is paused, and once the database answers again each is read again from the
     * offset it holds — from its beginning if it holds none. (Found by {@code ./vigil chaos} R6: retrying the failed
     * batch stored its offsets past a lost batch, and 35 of 12,460 records were never written.)
     */
    private void rereadFromDatabase() {
        pending = new ArrayList<>();
        nextOffsets = new HashMap<>();
        consumer.pause(consumer.assignment());
        unpositioned.addAll(consumer.assignment());
        rereadAfterOutage = true;
    }

    /** At close or in a rebalance: waits for the batch in flight; written, it is counted; failed, it is dropped. */
    private void awaitInFlightQuietly() {
        if (inFlight == null) return;
        try {
            count(inFlightBatch, inFlight.get());
        } catch (java.util.concurrent.ExecutionException e) {
            closeConnection(); // nothing of it was committed: its records are read again from the stored offsets
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight = null;
            inFlightBatch = null;
        }
    }

    private void count(Batch b, List<Refused> refused) {
        written.addAndGet(b.records().size() - refused.size());
        refusedByDatabase.addAndGet(refused.size());
        batches.incrementAndGet();
    }

    /** A batch committed: counted, consumption resumed after an outage, its offsets committed to Kafka too. */
    private void written(Batch b, List<Refused> refused) {
        count(b, refused);
        if (!databaseUp) {
            databaseUp = true;
            resumePositioned();
            LOG.info("Database reachable again; writing resumed");
        }
        commitToKafkaQuietly(b.offsets());
    }

    private void outage(Throwable e) {
        closeConnection();
        retries.incrementAndGet();
        if (databaseUp) {
            databaseUp = false;
            LOG.warn("Database write failed, pausing consumption and retrying: {}", e.getMessage());
        }
    }

    /**
     * Writes a batch with its offsets, retrying an outage with backoff until it succeeds or the writer is closed. A
     * rebalance that takes partitions away meanwhile drops the batch unwritten (its records are read again from the
     * database's offsets by their next owner).
     */
    private boolean flush(Batch b) {
        long backoffMs = 250;
        long revokedBefore = revocations;
        while (true) {
            if (revocations != revokedBefore) return true;
            try {
                written(b, writeOnce(b));
                return true;
            } catch (SQLException | RuntimeException e) {
                outage(e);
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
    }

    /**
     * One transaction: the batch's rows (a data error splits it until the refused records are alone), the refused
     * records to the dead-letter topic, the offsets; then commit. Dead letters are sent before the commit, so a crash
     * between the two may send one twice, never lose it.
     */
    private List<Refused> writeOnce(Batch b) throws SQLException {
        long start = System.nanoTime();
        try {
            return writeOnceTimed(b);
        } finally {
            writeNanos.addAndGet(System.nanoTime() - start);
        }
    }

    private List<Refused> writeOnceTimed(Batch b) throws SQLException {
        return io.vigil.storage.sql.Transactions.inTransaction(connection(), c -> {
            List<Refused> refused = writeSplitting(c, b.records());
            writeOffsets(c, b.offsets());
            if (!refused.isEmpty()) {
                sendDeadLetters(refused);
            }
            return refused;
        });
    }

    private List<Refused> writeSplitting(Connection c, List<Pending> part) throws SQLException {
        if (part.isEmpty()) return List.of();
        Savepoint before = c.setSavepoint();
        try {
            batchOf(part).writeRows(c);
            c.releaseSavepoint(before);
            return List.of();
        } catch (SQLException e) {
            c.rollback(before);
            if (!isDataError(e)) throw e;
            if (part.size() == 1) {
                return List.of(new Refused(part.get(0), firstLine(e.getMessage())));
            }
            List<Refused> out = new ArrayList<>(writeSplitting(c, part.subList(0, part.size() / 2)));
            out.addAll(writeSplitting(c, part.subList(part.size() / 2, part.size())));
            return out;
        }
    }

    /** SQLSTATE classes of a record's own fault: data exception, integrity violation, program limit exceeded. */
    static boolean isDataError(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23") || state.startsWith("54"));
    }

    private static TelemetryBatch batchOf(List<Pending> part) {
        TelemetryBatch b = new TelemetryBatch();
        for (Pending p : part) {
            if (p.record() instanceof TelemetryRecord r) b.add(r);
            else if (p.record() instanceof NotificationAttempt a) b.add(a);
            else b.add((Silence) p.record());
        }
        return b;
    }

    private void writeOffsets(Connection c, Map<TopicPartition, Long> offsets) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO writer_offset (group_id, topic, partition, "
                + "next_offset) VALUES (?,?,?,?) ON CONFLICT (group_id, topic, partition) DO UPDATE SET "
                + "next_offset = EXCLUDED.next_offset, updated_at = now()")) {
            for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
                ps.setString(1, config.groupId());
                ps.setString(2, e.getKey().topic());
                ps.setInt(3, e.getKey().partition());
                ps.setLong(4, e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void sendDeadLetters(List<Refused> refused) {
        try {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (Refused r : refused) {
                ConsumerRecord<byte[], byte[]> src = r.pending().source();
                DeadLetter letter = DeadLetter.of(new Rejection(RejectReason.DATABASE_REJECTED, r.message()),
                        src.topic(), src.partition(), src.offset(), clock.instant(), src.value());
                sent.add(deadLetters.send(new ProducerRecord<>(config.topics().deadLetter(), null,
                        clock.millis(), RejectReason.DATABASE_REJECTED.name().getBytes(StandardCharsets.UTF_8),
                        WireFormat.encode(letter))));
            }
            for (var f : sent) f.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish dead letters: " + e.getMessage(), e);
        }
        skipped.get(RejectReason.DATABASE_REJECTED).addAndGet(refused.size());
        LOG.warn("The database refused {} record(s), sent to {}: first {}", refused.size(),
                config.topics().deadLetter(), refused.get(0).message());
    }

    /** Seeks newly assigned partitions to the offsets the database holds, then lets them be read. */
    private boolean positionFromDatabase() {
        try {
            Map<TopicPartition, Long> stored = new HashMap<>();
            Connection c = connection();
            c.setAutoCommit(true);
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT topic, partition, next_offset FROM writer_offset WHERE group_id = ?")) {
                ps.setString(1, config.groupId());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        stored.put(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3));
                    }
                }
            }
            Set<TopicPartition> assigned = consumer.assignment();
            // Read again from the stored offsets: what was read past them is no repeat when it comes again.
            repeats.forget(unpositioned);
            for (TopicPartition tp : unpositioned) {
                if (!assigned.contains(tp)) continue;
                Long next = stored.get(tp);
                // Without a stored offset, the consumer's own position applies: Kafka's committed offset (a database
                // written by the earlier, at-least-once writer), else the earliest. After an outage that position may
                // be past records the database lost, so the partition is read from its beginning.
                if (next != null) {
                    consumer.seek(tp, next);
                } else if (rereadAfterOutage) {
                    consumer.seekToBeginning(List.of(tp));
                }
            }
            unpositioned.clear();
            if (rereadAfterOutage) {
                rereadAfterOutage = false;
                if (!databaseUp) {
                    databaseUp = true;
                    LOG.info("Database reachable again; reading on from the offsets it holds");
                }
            }
            if (databaseUp) resumePositioned();
            return true;
        } catch (SQLException e) {
            closeConnection();
            if (databaseUp) {
                databaseUp = false;
                LOG.warn("Cannot read the writer's offsets from the database; waiting: {}", e.getMessage());
            }
            return false;
        }
    }

    private void resumePositioned() {
        Set<TopicPartition> ready = new HashSet<>(consumer.assignment());
        ready.removeAll(unpositioned);
        consumer.resume(ready);
    }

    private void commitToKafkaQuietly(Map<TopicPartition, Long> next) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        next.forEach((tp, n) -> offsets.put(tp, new OffsetAndMetadata(n)));
        try {
            consumer.commitAsync(offsets, null);
        } catch (RuntimeException e) {
            LOG.debug("Kafka offset commit failed (the database holds the offsets): {}", e.getMessage());
        }
    }

    /**
     * Partitions taken away or lost: what was read from them and not yet committed is dropped — their next owner
     * (perhaps this writer again) reads it from the database's offsets. Partitions kept are repositioned the same way.
     */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) return;
            repeats.forget(partitions);
            // The batch in flight commits (its offsets are then in the database) or is dropped, before anything
            // is repositioned from the stored offsets.
            boolean hadInFlight = inFlight != null;
            awaitInFlightQuietly();
            revocations++;
            if (!hadInFlight && pending.isEmpty() && nextOffsets.isEmpty()) return;
            pending.clear();
            nextOffsets.clear();
            Set<TopicPartition> kept = new HashSet<>(consumer.assignment());
            kept.removeAll(partitions);
            consumer.pause(kept);
            unpositioned.addAll(kept);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            consumer.pause(partitions);
            unpositioned.addAll(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }
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

    private static String firstLine(String message) {
        if (message == null) return "refused by the database";
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
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

    /** Records skipped because Kafka held them twice (same origin on the same partition). */
    public long repeatsSkipped() {
        return repeatsSkipped.get();
    }

    public long skipped(RejectReason reason) {
        return skipped.get(reason).get();
    }

    /** The consumer's {@code records-lag-max}, on the consumer's thread (KafkaConsumer is not thread-safe). */
    private void readLag() {
        long now = clock.millis();
        if (now < nextLagReadMs) return;
        nextLagReadMs = now + 1000;
        for (var e : consumer.metrics().entrySet()) {
            if (e.getKey().name().equals("records-lag-max") && e.getKey().tags().get("topic") == null
                    && e.getValue().metricValue() instanceof Double d) {
                consumerLagRecords = d;
            }
        }
    }

    /** The writer's figures for its {@code /metrics}; safe to call from any thread. */
    public io.vigil.model.metrics.PrometheusText metrics() {
        var m = new io.vigil.model.metrics.PrometheusText();
        m.counter("vigil_writer_records_written_total", "Records stored (each exactly once).", written.get());
        m.counter("vigil_writer_batches_total", "Transactions committed (rows and Kafka offsets together).",
                batches.get());
        m.counter("vigil_writer_write_seconds_total", "Time spent writing batches to the database.",
                writeNanos.get() / 1e9);
        m.counter("vigil_writer_database_retries_total", "Batches retried after the database failed.", retries.get());
        m.gauge("vigil_writer_database_up", "1 while the database accepts writes, 0 during an outage.",
                databaseUp ? 1 : 0);
        for (RejectReason r : RejectReason.values()) {
            m.counter("vigil_writer_records_rejected_total", "Records not stored, by reason (invalid ones are "
                    + "dead-lettered by the detection job's router; database refusals here).", skipped.get(r).get(),
                    "reason", r.name().toLowerCase(java.util.Locale.ROOT));
        }
        m.counter("vigil_writer_records_rejected_total", "Records not stored, by reason (invalid ones are "
                + "dead-lettered by the detection job's router; database refusals here).", refusedByDatabase.get(),
                "reason", "refused_by_database");
        m.counter("vigil_writer_repeats_skipped_total", "Records Kafka held twice (a collector's spool resending after "
                + "a restart), stored once.", repeatsSkipped.get());
        m.gauge("vigil_writer_consumer_lag_records", "Records in Kafka not yet read, on the writer's most lagging "
                + "partition (NaN before the first fetch).", consumerLagRecords);
        return io.vigil.model.metrics.JvmMetrics.addTo(m);
    }

    /** Stops after writing what was already read; safe to call from another thread. */
    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
    }
}
