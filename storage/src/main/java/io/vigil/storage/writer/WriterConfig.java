package io.vigil.storage.writer;

import io.vigil.model.Topics;
import io.vigil.model.config.KafkaSecurity;
import io.vigil.storage.retention.RetentionConfig;
import java.time.Duration;

/**
 * Configuration of the telemetry writer.
 *
 * @param maxBatchRecords flush once this many records are buffered
 * @param flushInterval   flush at least this often when records are waiting
 * @param maxRetryBackoff longest pause between retries while the database is unreachable
 * @param retention       how long history is kept, and the partitions made ahead
 * @param rollupRefresh   how often the per-rack and per-job rollups are derived for the minutes written since
 * @param maxFutureSkew   samples stamped further ahead of this machine's clock are dead-lettered (FUTURE_TIMESTAMP)
 * @param kafkaSecurity   how the writer authenticates to Kafka
 */
public record WriterConfig(String bootstrapServers, Topics topics, String groupId, String jdbcUrl, String user,
                           String password, int maxBatchRecords, Duration flushInterval, Duration maxRetryBackoff,
                           RetentionConfig retention, Duration rollupRefresh, Duration maxFutureSkew,
                           KafkaSecurity kafkaSecurity) {

    /** As the detection job's {@code detection.max-future-skew}: the same samples are judged by both. */
    public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofMinutes(5);

    /** With the default retention. */
    public WriterConfig(String bootstrapServers, Topics topics, String groupId, String jdbcUrl, String user,
                        String password, int maxBatchRecords, Duration flushInterval, Duration maxRetryBackoff) {
        this(bootstrapServers, topics, groupId, jdbcUrl, user, password, maxBatchRecords, flushInterval,
                maxRetryBackoff, RetentionConfig.defaults(), Duration.ofSeconds(10), DEFAULT_MAX_FUTURE_SKEW,
                KafkaSecurity.PLAINTEXT);
    }

    public WriterConfig {
        if (bootstrapServers == null || bootstrapServers.isBlank()) throw new IllegalArgumentException("writer: kafka bootstrap servers must be set");
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) throw new IllegalArgumentException("writer: db url must be a jdbc:postgresql: URL, was " + jdbcUrl);
        if (maxBatchRecords < 1) throw new IllegalArgumentException("writer: max batch records must be >= 1");
        if (flushInterval.isNegative() || flushInterval.isZero()) throw new IllegalArgumentException("writer: flush interval must be > 0");
        if (rollupRefresh.compareTo(Duration.ofSeconds(1)) < 0 || rollupRefresh.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("writer.rollup-refresh-interval must be 1s..10m, was " + rollupRefresh);
        }
        if (maxFutureSkew.isNegative() || maxFutureSkew.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("writer.max-future-skew must be 0..1d, was " + maxFutureSkew);
        }
    }

    public static WriterConfig of(String bootstrap, Topics topics, String jdbcUrl, String user, String password) {
        return new WriterConfig(bootstrap, topics, "vigil-storage", jdbcUrl, user, password, 20_000,
                Duration.ofMillis(500), Duration.ofSeconds(30));
    }
}
