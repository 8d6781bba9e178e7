package io.vigil.storage.retention;

import java.time.Duration;

/**
 * How long each kind of history is kept, and how far ahead raw partitions are made.
 *
 * @param raw           raw samples (GPU, power, cooling): by day partitions on plain PostgreSQL
 * @param minute        per-minute rollups
 * @param hour          per-hour rollups
 * @param daysAhead     day partitions made ahead of today, so the writer never waits for one
 * @param interval      how often the writer runs the maintenance
 */
public record RetentionConfig(Duration raw, Duration minute, Duration hour, int daysAhead, Duration interval) {

    public RetentionConfig {
        if (raw.compareTo(Duration.ofDays(1)) < 0) throw new IllegalArgumentException("writer.retention-raw must be at least 1 day");
        if (minute.compareTo(raw) < 0) throw new IllegalArgumentException("writer.retention-1m must be at least writer.retention-raw");
        if (hour.compareTo(minute) < 0) throw new IllegalArgumentException("writer.retention-1h must be at least writer.retention-1m");
        if (daysAhead < 1 || daysAhead > 60) throw new IllegalArgumentException("writer.partitions-ahead must be 1..60 days");
        if (interval.toMinutes() < 1) throw new IllegalArgumentException("writer.maintenance-interval must be at least 1m");
    }

    /** Raw 14 days, per-minute 90 days, per-hour 3 years; 3 days of partitions ahead; hourly. */
    public static RetentionConfig defaults() {
        return new RetentionConfig(Duration.ofDays(14), Duration.ofDays(90), Duration.ofDays(3 * 366), 3,
                Duration.ofHours(1));
    }
}
