package io.vigil.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.storage.retention.RetentionConfig;
import io.vigil.storage.retention.RetentionMaintainer;
import io.vigil.storage.schema.SchemaMigrator;
import io.vigil.storage.writer.TelemetryBatch;
import io.vigil.testsupport.GpuSamples;
import io.vigil.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.time.format.DateTimeFormatter;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * Day partitions and retention on plain PostgreSQL, with time driven by the test (relative to now, never a fixed
 * date): partitions made ahead, expired days dropped, a DEFAULT partition that loses nothing, rollups kept longer
 * than raw samples, and an existing database migrated to partitions with every row kept.
 */
class RetentionITCase {

    static final Instant NOW = Instant.now();
    static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");

    static long count(DataSource db, String sql) throws Exception {
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void write(DataSource db, Instant... times) throws Exception {
        TelemetryBatch b = new TelemetryBatch();
        int i = 0;
        for (Instant t : times) b.add(GpuSamples.healthy("h" + i++, 0, t.toEpochMilli()).build());
        try (Connection c = db.getConnection()) {
            b.writeTo(c);
        }
    }

    static String partition(Instant t) {
        return "gpu_sample_p" + LocalDate.ofInstant(t, ZoneOffset.UTC).format(DAY);
    }

    /**
     * Two writers on one database: while one writer's run holds the maintenance lock, another's is skipped and
     * changes nothing; once released, the next run does the work; writers racing in a loop never fail.
     */
    @Test
    void oneWritersMaintenanceAtATimeAndRacingWritersNeverFail() throws Exception {
        DataSource db = TestPostgres.dataSource(TestPostgres.newDatabase());
        SchemaMigrator.migrate(db);
        RetentionMaintainer maintainer = new RetentionMaintainer(RetentionConfig.defaults());
        Instant expired = NOW.minus(Duration.ofDays(20));
        write(db, expired, NOW);
        try (Connection c = db.getConnection()) {
            // A month ago: partitions around then, which are expired now.
            assertThat(maintainer.run(c, NOW.minus(Duration.ofDays(30))).partitionsCreated()).isPositive();
        }
        try (Connection holder = db.getConnection(); Connection other = db.getConnection()) {
            try (Statement st = holder.createStatement()) {
                st.execute("SELECT pg_advisory_lock(" + 0x5649474C_0012L + ")"); // the maintainer's lock
            }
            RetentionMaintainer.Result skipped = maintainer.run(other, NOW);
            assertThat(skipped.skipped()).isTrue();
            assertThat(skipped.partitionsDropped()).isEmpty();
            assertThat(count(db, "SELECT count(*) FROM gpu_sample WHERE ts < now() - interval '15 days'")).isPositive();
            try (Statement st = holder.createStatement()) {
                st.execute("SELECT pg_advisory_unlock(" + 0x5649474C_0012L + ")");
            }
            RetentionMaintainer.Result done = maintainer.run(other, NOW);
            assertThat(done.skipped()).isFalse();
            assertThat(done.partitionsDropped()).isNotEmpty();
            assertThat(count(db, "SELECT count(*) FROM gpu_sample WHERE ts < now() - interval '15 days'")).isZero();
        }
        // Two writers at the same moment, again and again (days ahead change with the driven clock).
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            int ran = 0;
            for (int round = 0; round < 20; round++) {
                Instant at = NOW.plus(Duration.ofDays(round));
                java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
                List<java.util.concurrent.Future<RetentionMaintainer.Result>> runs = new java.util.ArrayList<>();
                for (int w = 0; w < 2; w++) {
                    runs.add(pool.submit(() -> {
                        try (Connection c = db.getConnection()) {
                            together.await();
                            return maintainer.run(c, at);
                        }
                    }));
                }
                for (var r : runs) {
                    if (!r.get().skipped()) ran++;
                }
            }
            assertThat(ran).as("runs that did the work").isBetween(20, 40);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void partitionsAreMadeAheadExpiredDaysDroppedAndRollupsOutliveRawSamples() throws Exception {
        DataSource db = TestPostgres.dataSource(TestPostgres.newDatabase());
        SchemaMigrator.migrate(db);
        RetentionMaintainer maintainer = new RetentionMaintainer(RetentionConfig.defaults());
        Instant old = NOW.minus(Duration.ofDays(100));
        Instant expired = NOW.minus(Duration.ofDays(20));
        Instant kept = NOW.minus(Duration.ofDays(10));
        write(db, old, expired, kept, NOW);

        RetentionMaintainer.Result first;
        try (Connection c = db.getConnection()) {
            first = maintainer.run(c, NOW);
        }
        assertThat(first.timescale()).isFalse();
        // Partitions exist from yesterday to three days ahead, for every raw table.
        for (int d = -1; d <= 3; d++) {
            String day = LocalDate.ofInstant(NOW, ZoneOffset.UTC).plusDays(d).format(DAY);
            for (String t : RetentionMaintainer.RAW_TABLES) {
                assertThat(count(db, "SELECT count(*) FROM pg_class WHERE relname = '" + t + "_p" + day + "'"))
                        .as(t + " " + day).isEqualTo(1);
            }
        }
        // The samples of days without a partition waited in the DEFAULT one; those older than 14 days are gone.
        assertThat(count(db, "SELECT count(*) FROM gpu_sample")).isEqualTo(2);
        assertThat(count(db, "SELECT count(*) FROM gpu_sample_default")).isEqualTo(1);
        assertThat(count(db, "SELECT count(*) FROM " + partition(NOW))).isEqualTo(1);
        // Rollups: the per-minute row of 100 days ago is past its 90 days, the hourly one is kept (3 years).
        assertThat(count(db, "SELECT count(*) FROM gpu_rollup_1m")).isEqualTo(3);
        assertThat(count(db, "SELECT count(*) FROM gpu_rollup_1h")).isEqualTo(4);
        // The console's latest row of a GPU not heard from within the raw retention goes with its samples.
        assertThat(count(db, "SELECT count(*) FROM gpu_latest")).isEqualTo(2);

        // A partition made for a day whose samples waited in DEFAULT takes them over.
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            LocalDate day = LocalDate.ofInstant(kept, ZoneOffset.UTC);
            st.execute("SELECT vigil_ensure_day_partitions('gpu_sample', '" + day + "', '" + day + "')");
        }
        assertThat(count(db, "SELECT count(*) FROM gpu_sample_default")).isZero();
        assertThat(count(db, "SELECT count(*) FROM " + partition(kept))).isEqualTo(1);

        // Five days later that day is past the raw retention: its partition is dropped whole.
        RetentionMaintainer.Result later;
        try (Connection c = db.getConnection()) {
            later = maintainer.run(c, NOW.plus(Duration.ofDays(5)));
        }
        assertThat(later.partitionsDropped()).contains(partition(kept));
        assertThat(count(db, "SELECT count(*) FROM gpu_sample")).isEqualTo(1);
        assertThat(count(db, "SELECT count(*) FROM gpu_latest")).isEqualTo(1);
        assertThat(count(db, "SELECT count(*) FROM pg_class WHERE relname = '" + partition(kept) + "'")).isZero();
        assertThat(later.partitionsCreated()).isGreaterThanOrEqualTo(3 * 5); // the five new days ahead, three tables
    }

    @Test
    void anExistingDatabaseIsPartitionedWithEveryRowKept() throws Exception {
        DataSource db = TestPostgres.dataSource(TestPostgres.newDatabase());
        Flyway.configure().dataSource(db).locations("classpath:db/migration").target("9").load().migrate();
        // Rows as the V9 writer left them: samples, their per-GPU minutes, and PDU readings (no device rollups yet).
        try (Connection c = db.getConnection(); java.sql.Statement st = c.createStatement()) {
            int i = 0;
            Instant minute = NOW.truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
            for (Instant t : List.of(minute.minus(Duration.ofDays(3)), minute.minus(Duration.ofDays(2)), minute,
                    minute.plusSeconds(1))) {
                String ts = "to_timestamp(" + t.getEpochSecond() + ")";
                st.execute("INSERT INTO gpu_sample (ts, cluster, rack, host, gpu, power_w) VALUES (" + ts
                        + ", 'test', 'A01', 'h" + i + "', 0, 600)");
                st.execute("INSERT INTO gpu_rollup_1m (bucket, cluster, host, gpu, rack, samples, temp_sum, temp_n, "
                        + "power_sum, power_n, util_sum, util_n, sm_sum, sm_n, tensor_sum, tensor_n, throttled_power, "
                        + "throttled_thermal, throttled_hw) VALUES (date_trunc('minute', " + ts + "), 'test', 'h" + i
                        + "', 0, 'A01', 1, 0, 0, 600, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0)");
                st.execute("INSERT INTO power_sample (ts, cluster, rack, source, device, power_w, capacity_w) VALUES ("
                        + ts + ", 'test', 'A01', 'RACK_PDU', 'pdu-" + i++ + "', 5000, 17300)");
            }
        }
        assertThat(count(db, "SELECT count(*) FROM pg_class WHERE relname = 'gpu_sample' AND relkind = 'r'")).isEqualTo(1);

        SchemaMigrator.migrate(db);
        assertThat(count(db, "SELECT count(*) FROM pg_class WHERE relname = 'gpu_sample' AND relkind = 'p'")).isEqualTo(1);
        assertThat(count(db, "SELECT count(*) FROM gpu_sample")).isEqualTo(4);
        assertThat(count(db, "SELECT count(*) FROM gpu_sample_default")).isZero();
        assertThat(count(db, "SELECT count(*) FROM " + partition(NOW.minus(Duration.ofDays(3))))).isEqualTo(1);
        assertThat(count(db, "SELECT count(*) FROM gpu_rollup_1m")).isEqualTo(4);
        assertThat(count(db, "SELECT count(*) FROM pg_indexes WHERE tablename = 'gpu_sample'")).isEqualTo(2);
        // V11 rolled the PDU readings up and marked their minutes; the first refresh derives the racks.
        assertThat(count(db, "SELECT count(*) FROM power_rollup_1m")).isEqualTo(4);
        assertThat(count(db, "SELECT count(*) FROM power_rollup_1h")).isEqualTo(4); // four devices
        try (Connection c = db.getConnection()) {
            new io.vigil.storage.rollup.RollupRefresher(Duration.ofDays(90)).run(c, NOW);
        }
        assertThat(count(db, "SELECT count(*) FROM rack_power_1m WHERE pdus = 1 AND gpus = 1 AND pdu_power_w = 5000 "
                + "AND gpu_power_w = 600")).isEqualTo(2);
        // The last two readings share a minute: two PDUs, two GPUs.
        assertThat(count(db, "SELECT count(*) FROM rack_power_1m WHERE pdus = 2 AND gpus = 2")).isEqualTo(1);
    }
}
