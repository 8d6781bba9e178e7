package io.vigil.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vigil.model.CoolingSample;
import io.vigil.model.GpuSample;
import io.vigil.model.PowerSample;
import io.vigil.model.TelemetryRecord;
import io.vigil.storage.rollup.RollupRefresher;
import io.vigil.storage.schema.SchemaMigrator;
import io.vigil.storage.writer.TelemetryBatch;
import io.vigil.testsupport.GpuSamples;
import io.vigil.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The power-device, cooling-device, rack and job rollups equal SQL over the raw rows, whatever order and batches
 * the samples come in, with refreshes running between batches as the writer runs them; a late sample makes a
 * derived minute stale until the next refresh, which puts it right.
 */
class FacilityRollupsITCase {

    DataSource db;
    final RollupRefresher refresher = new RollupRefresher(Duration.ofDays(90));

    @BeforeEach
    void freshDatabase() {
        db = TestPostgres.dataSource(TestPostgres.newDatabase());
        SchemaMigrator.migrate(db);
    }

    @Test
    void derivedRollupsEqualSqlOverTheRawRowsLateSamplesIncluded() throws Exception {
        Random random = new Random(29);
        // 130 minutes from 40 minutes past an hour (three hours), a sample every 15 s.
        long start = GpuSamples.T0 / 3_600_000 * 3_600_000 + 40 * 60_000L;
        Instant now = Instant.ofEpochMilli(start + 4 * 3_600_000L);
        List<TelemetryRecord> records = new ArrayList<>();
        for (long ts = start; ts < start + 130 * 60_000L; ts += 15_000) {
            for (String rack : List.of("R1", "R2")) {
                for (int h = 0; h < 2; h++) {
                    for (int g = 0; g < 2; g++) {
                        // R1's GPUs run job J1; two of R2's run J2; the other two hold no job.
                        String job = rack.equals("R1") ? "J1" : h == 0 ? "J2" : null;
                        GpuSample.Builder b = GpuSamples.healthy(rack + "-h" + h, g, ts).row("A").rack(rack)
                                .jobId(job).powerW(200 + random.nextInt(500) + 0.25)
                                .gpuTempC(40 + random.nextInt(40) + 0.5)
                                .gpuUtilPct(job == null ? (double) random.nextInt(4) : 60 + random.nextInt(40));
                        if (random.nextInt(9) == 0) b.powerW(null); // a source without power
                        records.add(b.build());
                    }
                }
                for (int p = 0; p < 2; p++) {
                    Double w = random.nextInt(11) == 0 ? null : 3000 + random.nextInt(2000) + 0.5;
                    records.add(new PowerSample(ts, "test", "A", rack, null, PowerSample.Source.RACK_PDU,
                            rack + "-pdu" + p, w, 17_300.0, null, null));
                }
            }
            // A power shelf in R1 is not one of the rack's PDUs: it must not count in the rack's PDU load.
            records.add(new PowerSample(ts, "test", "A", "R1", null, PowerSample.Source.POWER_SHELF, "R1-shelf",
                    9000.0 + random.nextInt(100), 33_000.0, null, null));
            double supply = 25 + random.nextInt(8) + 0.25;
            records.add(new CoolingSample(ts, "test", "A", null, CoolingSample.Source.CDU, "cdu-1", supply,
                    random.nextInt(13) == 0 ? null : supply + 5 + random.nextInt(6), 300.0 + random.nextInt(80),
                    80.0, random.nextInt(50) == 0, null, null, null, List.of("R1", "R2"), null));
        }
        Collections.shuffle(records, random);
        for (int i = 0; i < records.size(); i += 150) {
            write(records.subList(i, Math.min(records.size(), i + 150)));
            if ((i / 150) % 5 == 4) {
                try (Connection c = db.getConnection()) {
                    refresher.run(c, now);
                }
            }
        }
        try (Connection c = db.getConnection()) {
            RollupRefresher.Result r = refresher.run(c, now);
            assertThat(r.skipped()).isFalse();
        }
        assertEverythingMatchesRaw();
        assertThat(scalar("SELECT count(*) FROM rack_power_1m")).isEqualTo(2L * 130);
        assertThat(scalar("SELECT count(*) FROM rack_power_1h")).isEqualTo(2L * 3);
        assertThat(scalar("SELECT count(*) FROM job_rollup_1m")).isEqualTo(2L * 130);
        assertThat(scalar("SELECT count(*) FROM rollup_invalidation")).isZero();

        // A late sample for a minute refreshed long ago: the derived rows are stale until the next refresh.
        long late = start + 7 * 60_000L + 3_000;
        write(List.of(GpuSamples.healthy("R1-h0", 0, late).row("A").rack("R1").jobId("J1").powerW(5000.0)
                        .gpuUtilPct(90.0).build(),
                new PowerSample(late, "test", "A", "R2", null, PowerSample.Source.RACK_PDU, "R2-pdu0", 40_000.0,
                        17_300.0, null, null)));
        assertThat(scalar("SELECT count(*) FROM rollup_invalidation")).isEqualTo(1L);
        org.assertj.core.api.Assertions.assertThatThrownBy(this::assertEverythingMatchesRaw).isInstanceOf(AssertionError.class);
        try (Connection c = db.getConnection()) {
            assertThat(refresher.run(c, now)).isEqualTo(new RollupRefresher.Result(1, 1, false));
        }
        assertEverythingMatchesRaw();
    }

    @Test
    void hoursBeforeTheMinuteRetentionAreNotRecomputedFromMinutesThatMayBeGone() throws Exception {
        long t = GpuSamples.T0 / 3_600_000 * 3_600_000;
        write(List.of(GpuSamples.healthy("h", 0, t + 5_000).rack("R1").jobId("J").powerW(500.0).build()));
        try (Connection c = db.getConnection()) {
            // The writer's clock 91 days on: the minute is derived, its hour is not.
            assertThat(refresher.run(c, Instant.ofEpochMilli(t).plus(Duration.ofDays(91))))
                    .isEqualTo(new RollupRefresher.Result(1, 0, false));
        }
        assertThat(scalar("SELECT count(*) FROM rack_power_1m")).isEqualTo(1L);
        assertThat(scalar("SELECT count(*) FROM rack_power_1h")).isZero();
    }

    void write(List<TelemetryRecord> records) throws Exception {
        TelemetryBatch batch = new TelemetryBatch();
        records.forEach(batch::add);
        try (Connection c = db.getConnection()) {
            batch.writeTo(c);
        }
    }

    static final String RAW_RACK_MINUTES = "WITH g AS (SELECT date_trunc('minute', ts) AS b, COALESCE(rack, '') AS rack, "
            + "host, gpu, avg(power_w) AS p, max(gpu_temp_c) AS t, avg(gpu_util_pct) AS u FROM gpu_sample "
            + "GROUP BY 1, 2, 3, 4), gr AS (SELECT b, rack, count(*) AS gpus, sum(p) AS gp, max(t) AS tmax, "
            + "avg(u) AS util FROM g GROUP BY 1, 2), "
            + "d AS (SELECT date_trunc('minute', ts) AS b, COALESCE(rack, '') AS rack, device, avg(power_w) AS p, "
            + "max(capacity_w) AS cap FROM power_sample WHERE source = 'RACK_PDU' GROUP BY 1, 2, 3), "
            + "pr AS (SELECT b, rack, count(*) AS pdus, sum(p) AS pp, sum(cap) AS cap FROM d GROUP BY 1, 2) "
            + "SELECT COALESCE(gr.b, pr.b) AS time, COALESCE(gr.rack, pr.rack) AS rack, COALESCE(pdus, 0) AS pdus, "
            + "pp AS pdu_power_w, cap AS pdu_capacity_w, COALESCE(gpus, 0) AS gpus, gp AS gpu_power_w, "
            + "tmax AS gpu_temp_max_c, util AS gpu_util_mean_pct FROM gr FULL JOIN pr ON gr.b = pr.b AND gr.rack = pr.rack";

    static final String RAW_JOB_MINUTES = "WITH g AS (SELECT date_trunc('minute', ts) AS b, job_id, host, gpu, "
            + "avg(power_w) AS p, avg(gpu_util_pct) AS u FROM gpu_sample WHERE job_id IS NOT NULL GROUP BY 1, 2, 3, 4) "
            + "SELECT b AS time, job_id, count(*) AS gpus, COALESCE(sum(p), 0) AS power_w, COALESCE(sum(p), 0) * 60 "
            + "AS energy_j, COALESCE(sum(u), 0) AS util_sum, count(u) AS util_n, count(*) FILTER (WHERE u < 5) "
            + "AS idle_gpus FROM g GROUP BY 1, 2";

    void assertEverythingMatchesRaw() throws Exception {
        same("SELECT time, device, samples, power_mean_w, power_max_w, capacity_w FROM vigil_pdu_1m ORDER BY 1, 2",
                "SELECT date_trunc('minute', ts) AS time, device, count(*) AS samples, avg(power_w) AS power_mean_w, "
                        + "max(power_w) AS power_max_w, max(capacity_w) AS capacity_w FROM power_sample GROUP BY 1, 2 "
                        + "ORDER BY 1, 2");
        same("SELECT time, device, samples, power_mean_w FROM vigil_pdu_1h ORDER BY 1, 2",
                "SELECT date_trunc('hour', ts, 'UTC') AS time, device, count(*) AS samples, avg(power_w) AS power_mean_w "
                        + "FROM power_sample GROUP BY 1, 2 ORDER BY 1, 2");
        for (String[] r : List.of(new String[] {"vigil_cdu_1m", "minute"}, new String[] {"vigil_cdu_1h", "hour"})) {
            same("SELECT time, device, samples, supply_mean_c, supply_max_c, return_mean_c, delta_t_mean_c, "
                            + "flow_mean_lpm, flow_min_lpm, heat_mean_kw, heat_max_kw, leak_samples FROM " + r[0]
                            + " ORDER BY 1, 2",
                    "SELECT date_trunc('" + r[1] + "', ts, 'UTC') AS time, device, count(*) AS samples, "
                            + "avg(supply_temp_c) AS supply_mean_c, max(supply_temp_c) AS supply_max_c, "
                            + "avg(return_temp_c) AS return_mean_c, avg(return_temp_c - supply_temp_c) AS delta_t_mean_c, "
                            + "avg(flow_lpm) AS flow_mean_lpm, min(flow_lpm) AS flow_min_lpm, "
                            + "avg(flow_lpm / 60.0 * 4.18 * (return_temp_c - supply_temp_c)) AS heat_mean_kw, "
                            + "max(flow_lpm / 60.0 * 4.18 * (return_temp_c - supply_temp_c)) AS heat_max_kw, "
                            + "count(*) FILTER (WHERE leak_detected) AS leak_samples FROM cooling_sample "
                            + "GROUP BY 1, 2 ORDER BY 1, 2");
        }
        same("SELECT bucket AS time, rack, pdus, pdu_power_w, pdu_capacity_w, gpus, gpu_power_w, gpu_temp_max_c, "
                + "gpu_util_mean_pct FROM rack_power_1m ORDER BY 1, 2", RAW_RACK_MINUTES + " ORDER BY 1, 2");
        same("SELECT bucket AS time, rack, minutes, pdu_power_mean_w, pdu_power_peak_w, pdu_capacity_w, gpus_max, "
                        + "gpu_power_mean_w, gpu_power_peak_w, gpu_temp_max_c, gpu_util_mean_pct FROM rack_power_1h "
                        + "ORDER BY 1, 2",
                "SELECT date_trunc('hour', time, 'UTC') AS time, rack, count(*) AS minutes, avg(pdu_power_w) AS "
                        + "pdu_power_mean_w, max(pdu_power_w) AS pdu_power_peak_w, max(pdu_capacity_w) AS pdu_capacity_w, "
                        + "max(gpus) AS gpus_max, avg(gpu_power_w) AS gpu_power_mean_w, max(gpu_power_w) AS "
                        + "gpu_power_peak_w, max(gpu_temp_max_c) AS gpu_temp_max_c, avg(gpu_util_mean_pct) AS "
                        + "gpu_util_mean_pct FROM (" + RAW_RACK_MINUTES + ") m GROUP BY 1, 2 ORDER BY 1, 2");
        same("SELECT bucket AS time, job_id, gpus, power_w, energy_j, util_sum, util_n, idle_gpus FROM job_rollup_1m "
                + "ORDER BY 1, 2", RAW_JOB_MINUTES + " ORDER BY 1, 2");
        same("SELECT bucket AS time, job_id, minutes, gpu_minutes, gpus_max, power_peak_w, energy_j, util_sum, util_n, "
                        + "idle_gpu_minutes FROM job_rollup_1h ORDER BY 1, 2",
                "SELECT date_trunc('hour', time, 'UTC') AS time, job_id, count(*) AS minutes, sum(gpus) AS gpu_minutes, "
                        + "max(gpus) AS gpus_max, max(power_w) AS power_peak_w, sum(energy_j) AS energy_j, "
                        + "sum(util_sum) AS util_sum, sum(util_n) AS util_n, sum(idle_gpus) AS idle_gpu_minutes "
                        + "FROM (" + RAW_JOB_MINUTES + ") m GROUP BY 1, 2 ORDER BY 1, 2");
        // The views Grafana reads agree with the tables under them.
        assertThat(scalar("SELECT round(sum(gpu_hours) * 60) FROM vigil_job_1h"))
                .isEqualTo(scalar("SELECT sum(gpus) FROM job_rollup_1m"));
    }

    void same(String rollupSql, String rawSql) throws Exception {
        List<Map<String, Object>> got = rows(rollupSql);
        List<Map<String, Object>> want = rows(rawSql);
        assertThat(got).as(rollupSql).hasSameSizeAs(want);
        for (int i = 0; i < want.size(); i++) {
            for (String col : want.get(i).keySet()) {
                Object w = want.get(i).get(col);
                Object g = got.get(i).get(col);
                String what = col + " at " + want.get(i) + " in " + rollupSql;
                if (w instanceof Number wn && g instanceof Number gn) {
                    assertThat(gn.doubleValue()).as(what).isCloseTo(wn.doubleValue(),
                            within(1e-6 * Math.max(1, Math.abs(wn.doubleValue()))));
                } else {
                    assertThat(String.valueOf(g)).as(what).isEqualTo(String.valueOf(w));
                }
            }
        }
    }

    long scalar(String sql) throws Exception {
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    List<Map<String, Object>> rows(String sql) throws Exception {
        return SqlRows.rows(db, sql);
    }
}
