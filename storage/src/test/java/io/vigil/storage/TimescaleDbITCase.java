package io.vigil.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.storage.retention.RetentionConfig;
import io.vigil.storage.retention.RetentionMaintainer;
import io.vigil.storage.schema.SchemaMigrator;
import io.vigil.storage.writer.TelemetryBatch;
import io.vigil.testsupport.GpuSamples;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The TimescaleDB path, run when {@code VIGIL_TEST_TIMESCALEDB_URL} points at an empty database with the
 * extension available (user and password in {@code VIGIL_TEST_TIMESCALEDB_USER} / {@code _PASSWORD}, default
 * {@code vigil}); skipped, saying so, when it is unset — no TimescaleDB binaries exist on this project's registries,
 * so CI cannot start one. The sample tables must be hypertables with retention and compression policies, and the
 * writer's batches and rollups must work on them.
 */
class TimescaleDbITCase {

    /** The database of VIGIL_TEST_TIMESCALEDB_URL, emptied and migrated; the test is skipped, saying so, without. */
    record Database(String url, String user, String password) {
        static Database fresh() {
            String url = System.getenv("VIGIL_TEST_TIMESCALEDB_URL");
            Assumptions.assumeTrue(url != null && !url.isBlank(),
                    "VIGIL_TEST_TIMESCALEDB_URL is not set: the TimescaleDB path is not tested in this run");
            Database db = new Database(url, System.getenv().getOrDefault("VIGIL_TEST_TIMESCALEDB_USER", "vigil"),
                    System.getenv().getOrDefault("VIGIL_TEST_TIMESCALEDB_PASSWORD", "vigil"));
            Flyway.configure().dataSource(url, db.user(), db.password()).cleanDisabled(false).load().clean();
            SchemaMigrator.migrate(url, db.user(), db.password());
            return db;
        }

        Connection connect() throws java.sql.SQLException {
            return DriverManager.getConnection(url, user, password);
        }
    }

    @Test
    void sampleTablesAreHypertablesWithRetentionAndCompressionPolicies() throws Exception {
        Database db = Database.fresh();
        try (Connection c = db.connect()) {
            TelemetryBatch b = new TelemetryBatch();
            long now = System.currentTimeMillis();
            for (int s = 0; s < 120; s++) {
                b.add(GpuSamples.healthy("h1", 0, now - s * 1000L).rack("A01").build());
                b.add(new io.vigil.model.PowerSample(now - s * 1000L, "test", "A", "A01", null,
                        io.vigil.model.PowerSample.Source.RACK_PDU, "pdu-1", 5000.0, 17_300.0, null, null));
            }
            b.writeTo(c);
            new io.vigil.storage.rollup.RollupRefresher(java.time.Duration.ofDays(90)).run(c, Instant.now());
            RetentionMaintainer.Result r = new RetentionMaintainer(RetentionConfig.defaults()).run(c, Instant.now());
            assertThat(r.timescale()).isTrue();
            assertThat(count(c, "SELECT count(*) FROM timescaledb_information.hypertables WHERE hypertable_name "
                    + "IN ('gpu_sample', 'power_sample', 'cooling_sample')")).isEqualTo(3);
            assertThat(count(c, "SELECT count(*) FROM timescaledb_information.jobs WHERE proc_name = 'policy_retention' "
                    + "AND hypertable_name = 'gpu_sample'")).isEqualTo(1);
            assertThat(count(c, "SELECT count(*) FROM timescaledb_information.jobs WHERE proc_name = "
                    + "'policy_compression' AND hypertable_name = 'gpu_sample'")).isEqualTo(1);
            assertThat(count(c, "SELECT count(*) FROM gpu_sample")).isEqualTo(120);
            assertThat(count(c, "SELECT sum(samples) FROM gpu_rollup_1m")).isEqualTo(120);
            // The device, rack and job rollups work on hypertables too.
            assertThat(count(c, "SELECT sum(samples) FROM power_rollup_1m")).isEqualTo(120);
            assertThat(count(c, "SELECT count(*) FROM rack_power_1m WHERE rack = 'A01' AND pdu_power_w = 5000 "
                    + "AND gpus = 1")).isBetween(2L, 3L);
            assertThat(count(c, "SELECT sum(gpus) FROM job_rollup_1m")).isBetween(2L, 3L);
        }
    }

    /**
     * Two writers' maintenance on one TimescaleDB, at the same moment, again and again (the Kubernetes manifest runs
     * two writers): none fails, each raw table keeps exactly one retention job, the same one (its id and history),
     * and a changed retention setting changes the interval of that one job.
     */
    @Test
    void twoWritersMaintainingAtOnceNeverFailAndKeepOneRetentionJobPerTable() throws Exception {
        Database db = Database.fresh();
        RetentionMaintainer maintainer = new RetentionMaintainer(RetentionConfig.defaults());
        String jobs = "SELECT string_agg(hypertable_name || ':' || job_id || ':' || (config->>'drop_after'), ',' "
                + "ORDER BY hypertable_name, job_id) FROM timescaledb_information.jobs WHERE proc_name = "
                + "'policy_retention'";
        String before;
        try (Connection c = db.connect()) {
            maintainer.run(c, Instant.now());
            before = text(c, jobs);
        }
        assertThat(before.split(",")).hasSize(3);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 30; round++) {
                java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
                List<java.util.concurrent.Future<RetentionMaintainer.Result>> runs = new java.util.ArrayList<>();
                for (int w = 0; w < 2; w++) {
                    runs.add(pool.submit(() -> {
                        try (Connection c = db.connect()) {
                            together.await();
                            return maintainer.run(c, Instant.now());
                        }
                    }));
                }
                for (var r : runs) r.get(); // a failed run throws here
            }
        } finally {
            pool.shutdownNow();
        }
        try (Connection c = db.connect()) {
            assertThat(text(c, jobs)).as("the same three retention jobs").isEqualTo(before);
            // A new retention setting: still one job per table, with the new interval.
            RetentionConfig d = RetentionConfig.defaults();
            new RetentionMaintainer(new RetentionConfig(java.time.Duration.ofDays(7), d.minute(), d.hour(),
                    d.daysAhead(), d.interval())).run(c, Instant.now());
            assertThat(count(c, "SELECT count(*) FROM timescaledb_information.jobs WHERE proc_name = "
                    + "'policy_retention' AND (config->>'drop_after')::interval = interval '7 days'")).isEqualTo(3);
            assertThat(count(c, "SELECT count(*) FROM timescaledb_information.jobs WHERE proc_name = "
                    + "'policy_retention'")).isEqualTo(3);
        }
    }

    static String text(Connection c, String sql) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static long count(Connection c, String sql) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
