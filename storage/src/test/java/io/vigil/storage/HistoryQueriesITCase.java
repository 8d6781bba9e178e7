package io.vigil.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vigil.model.CoolingSample;
import io.vigil.model.JobEvent;
import io.vigil.model.Origin;
import io.vigil.model.PowerSample;
import io.vigil.storage.query.HistoryQueries;
import io.vigil.storage.rollup.RollupRefresher;
import io.vigil.storage.schema.SchemaMigrator;
import io.vigil.storage.writer.TelemetryBatch;
import io.vigil.testsupport.GpuSamples;
import io.vigil.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The capacity team's questions against a real PostgreSQL: numbers, resolutions, hostile parameters, timeouts. */
class HistoryQueriesITCase {

    static final long T = GpuSamples.T0 / 3_600_000 * 3_600_000;
    DataSource db;
    HistoryQueries history;

    @BeforeEach
    void data() throws Exception {
        db = TestPostgres.dataSource(TestPostgres.newDatabase());
        SchemaMigrator.migrate(db);
        history = new HistoryQueries(db, Duration.ofSeconds(5));
        TelemetryBatch b = new TelemetryBatch();
        b.add(new JobEvent(T, "test", "job-1", JobEvent.Kind.START, "train", "ml", List.of(), new Origin("j", 0, 1),
                "vision", null));
        // Two racks, two PDUs on A01 (A and B feed); 10 minutes at 1 s.
        for (int s = 0; s < 600; s++) {
            long ts = T + s * 1000L;
            b.add(new PowerSample(ts, "c", "A", "A01", null, PowerSample.Source.RACK_PDU, "A01-pdu-a",
                    s == 300 ? 20_000.0 : 10_000.0, 30_000.0, null, new Origin("p", 0, s)));
            b.add(new PowerSample(ts, "c", "A", "A01", null, PowerSample.Source.RACK_PDU, "A01-pdu-b", 9_000.0,
                    30_000.0, null, new Origin("p", 1, s)));
            b.add(new PowerSample(ts, "c", "A", "A02", null, PowerSample.Source.RACK_PDU, "A02-pdu", 5_000.0,
                    30_000.0, null, new Origin("p", 2, s)));
            b.add(new CoolingSample(ts, "c", "A", null, CoolingSample.Source.CDU, "CDU-1", 30.0, 40.0, 600.0, 100.0,
                    false, null, null, null, List.of("A01", "A02"), new Origin("q", 0, s)));
            for (int g = 0; g < 2; g++) {
                b.add(GpuSamples.healthy("h1", g, ts).gpuUtilPct(g == 1 ? 2.0 : 99.0)
                        .gpuTempC(g == 0 && s == 100 ? 91.0 : 65.0).powerW(600.0).build());
            }
        }
        try (Connection c = db.getConnection()) {
            b.writeTo(c);
            new RollupRefresher(Duration.ofDays(90)).run(c, Instant.ofEpochMilli(T + 3_600_000));
            // job-1 straggled from 2:00 to 5:30 (minutes 2 to 5) and has been stalled since 8:00 (minutes 8, 9).
            try (Statement st = c.createStatement()) {
                st.execute("INSERT INTO alert (fingerprint, starts_at, ends_at, state, type, severity, labels, summary, "
                        + "evidence) VALUES ('s1', to_timestamp(" + (T / 1000 + 120) + "), to_timestamp("
                        + (T / 1000 + 330) + "), 'RESOLVED', 'STRAGGLER', 'WARNING', "
                        + "'{\"cluster\": \"test\", \"job\": \"job-1\", \"rank\": \"1\"}', 'slow', '{}'), "
                        + "('s2', to_timestamp(" + (T / 1000 + 480) + "), NULL, 'FIRING', 'SYNC_STALL', 'CRITICAL', "
                        + "'{\"cluster\": \"test\", \"job\": \"job-1\"}', 'stalled', '{}')");
            }
        }
    }

    static final Instant FROM = Instant.ofEpochMilli(T);
    static final Instant TO = Instant.ofEpochMilli(T + 600_000);

    @Test
    void racksWithoutAPduCollectorTakeTheirShelvesHostsOrGpusAndSaySo() throws Exception {
        TelemetryBatch b = new TelemetryBatch();
        for (int s = 0; s < 600; s++) {
            long ts = T + s * 1000L;
            // Rack S01: two NVL power shelves (and host PSUs, which the shelves outrank); rack S02: hosts only.
            for (int n = 0; n < 2; n++) {
                b.add(new PowerSample(ts, "s", "S", "S01", "shelf-" + n, PowerSample.Source.POWER_SHELF,
                        "shelf-" + n + "/PowerShelf_0", 1749.0 + n, 33_000.0, null, new Origin("sh", n, s)));
            }
            b.add(new PowerSample(ts, "s", "S", "S01", "n1", PowerSample.Source.HOST_PSU, "n1/tray", 900.0, null, null,
                    new Origin("hp", 0, s)));
            b.add(new PowerSample(ts, "s", "S", "S02", "n2", PowerSample.Source.HOST_PSU, "n2/System", 1200.0, 2400.0,
                    null, new Origin("hp", 1, s)));
        }
        try (Connection c = db.getConnection()) {
            b.writeTo(c);
            new RollupRefresher(Duration.ofDays(90)).run(c, Instant.ofEpochMilli(T + 3_600_000));
        }
        for (HistoryQueries.Resolution res : HistoryQueries.Resolution.values()) {
            List<Map<String, Object>> racks = history.powerHeadroom("s", false, FROM, TO, res);
            assertThat(racks).as("%s", res).extracting(r -> r.get("rack"), r -> r.get("source"), r -> r.get("meanW"))
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("S01", "power_shelf", 3499.0),
                            org.assertj.core.groups.Tuple.tuple("S02", "host_psu", 1200.0));
            assertThat(racks.get(0)).as("%s", res).containsEntry("capacityW", 66_000.0);
        }
        // The GPU-only rack of cluster "test" (h1's two GPUs at 600 W): its GPUs' power, a lower bound, no capacity.
        assertThat(history.powerHeadroom("test", false, FROM, TO, HistoryQueries.Resolution.MINUTE)).singleElement()
                .satisfies(r -> assertThat(r).containsEntry("rack", "A01").containsEntry("source", "gpu")
                        .containsEntry("meanW", 1200.0).containsEntry("capacityW", null));
    }

    @Test
    void powerHeadroomPerRackAndRowSumsTheRacksPdus() throws Exception {
        List<Map<String, Object>> racks = history.powerHeadroom("c", false, FROM, TO, HistoryQueries.Resolution.RAW);
        assertThat(racks).hasSize(2);
        Map<String, Object> a01 = racks.get(0);
        assertThat(a01).containsEntry("rack", "A01").containsEntry("source", "pdu").containsEntry("peakW", 29_000.0).containsEntry("p95W", 19_000.0)
                .containsEntry("capacityW", 60_000.0).containsEntry("headroomW", 31_000.0)
                .containsEntry("points", 600L).containsEntry("resolution", "raw");
        assertThat((Double) a01.get("peakPctOfCapacity")).isEqualTo(48.3);
        List<Map<String, Object>> rows = history.powerHeadroom("c", true, FROM, TO, HistoryQueries.Resolution.RAW);
        assertThat(rows).singleElement().satisfies(r -> assertThat(r).containsEntry("row", "A")
                .containsEntry("peakW", 34_000.0).containsEntry("capacityW", 90_000.0));
        // Per minute: the 20 kW second is one of 60 in minute 5, so that minute's mean is 19,166.7 W.
        assertThat(history.powerHeadroom("c", false, FROM, TO, HistoryQueries.Resolution.MINUTE).get(0))
                .containsEntry("rack", "A01").containsEntry("peakW", 19_166.7).containsEntry("meanW", 19_016.7)
                .containsEntry("points", 10L).containsEntry("resolution", "1m");
        // Per hour: one point, its mean the minutes' mean, its peak still the highest minute.
        assertThat(history.powerHeadroom("c", false, FROM, TO, HistoryQueries.Resolution.HOUR).get(0))
                .containsEntry("rack", "A01").containsEntry("peakW", 19_166.7).containsEntry("meanW", 19_016.7)
                .containsEntry("points", 1L).containsEntry("resolution", "1h");
        assertThat(history.powerHeadroom("c", true, FROM, TO, HistoryQueries.Resolution.HOUR)).singleElement()
                .satisfies(r -> assertThat(r).containsEntry("peakW", 24_166.7));
    }

    @Test
    void gpuHoursEnergyIdleGpusAndStragglerMinutesPerJobTeamAndAccount() throws Exception {
        for (HistoryQueries.Resolution res : List.of(HistoryQueries.Resolution.MINUTE, HistoryQueries.Resolution.HOUR)) {
            Map<String, Object> team = history.gpuHours("team", FROM, TO, res).get(0);
            // 2 GPUs × 10 minutes; 600 W for 20 GPU-minutes = 0.2 kWh; GPU 1 idles at 2 %.
            assertThat(team).as(res.name()).containsEntry("team", "ml").containsEntry("jobs", 1L)
                    .containsEntry("gpuHours", 0.333).containsEntry("energyKwh", 0.2)
                    .containsEntry("idleGpuHours", 0.167).containsEntry("utilMeanPct", 50.5)
                    .containsEntry("stragglerMinutes", 4L).containsEntry("stallMinutes", 2L);
        }
        assertThat(history.gpuHours("account", FROM, TO, HistoryQueries.Resolution.MINUTE).get(0))
                .containsEntry("account", "vision");
        assertThat(history.gpuHours("job", FROM, TO, HistoryQueries.Resolution.MINUTE).get(0))
                .containsEntry("job", "test/job-1");
        // Only the range's minutes count: from 4:00, two straggler minutes (4, 5) are left.
        assertThat(history.gpuHours("job", FROM.plusSeconds(240), TO, HistoryQueries.Resolution.MINUTE).get(0))
                .containsEntry("stragglerMinutes", 2L).containsEntry("stallMinutes", 2L);
    }

    @Test
    void seriesAtEachResolutionAndTheHottestGpus() throws Exception {
        assertThat(history.gpuSeries("test", "h1", 0, "temp_max_c", FROM, TO, HistoryQueries.Resolution.RAW, 10_000))
                .hasSize(600);
        List<Map<String, Object>> minutes = history.gpuSeries("test", "h1", 0, "temp_max_c", FROM, TO,
                HistoryQueries.Resolution.MINUTE, 10_000);
        assertThat(minutes).hasSize(10);
        assertThat(minutes.get(1).get("value")).isEqualTo(91.0);
        assertThat(history.gpuSeries("test", "h1", 0, "power_mean_w", FROM, TO, HistoryQueries.Resolution.HOUR, 100))
                .singleElement().satisfies(p -> assertThat(p.get("value")).isEqualTo(600.0));
        assertThat(history.hottestGpus(FROM, TO, 1)).singleElement()
                .satisfies(g -> assertThat(g).containsEntry("gpu", 0).containsEntry("tempMaxC", 91.0));
        for (HistoryQueries.Resolution res : HistoryQueries.Resolution.values()) {
            assertThat(history.coolingHeadroom(null, FROM, TO, res)).as(res.name()).singleElement()
                    .satisfies(c -> assertThat(c).containsEntry("device", "CDU-1").containsEntry("heatMeanKw", 418.0)
                            .containsEntry("deltaTMeanC", 10.0).containsEntry("flowMinLpm", 600.0)
                            .containsEntry("samples", 600L));
        }
        assertThat(HistoryQueries.resolutionFor(FROM, FROM.plus(Duration.ofHours(1)))).isEqualTo(HistoryQueries.Resolution.RAW);
        assertThat(HistoryQueries.resolutionFor(FROM, FROM.plus(Duration.ofDays(2)))).isEqualTo(HistoryQueries.Resolution.MINUTE);
        assertThat(HistoryQueries.resolutionFor(FROM, FROM.plus(Duration.ofDays(30)))).isEqualTo(HistoryQueries.Resolution.HOUR);
    }

    @Test
    void anyMetricOfAnyEntityAtEachResolution() throws Exception {
        HistoryQueries.Resolution raw = HistoryQueries.Resolution.RAW, minute = HistoryQueries.Resolution.MINUTE,
                hour = HistoryQueries.Resolution.HOUR;
        List<Map<String, Object>> rack = history.entitySeries("rack", "c", "A01", "pdu_power_w", FROM, TO, minute, 100);
        assertThat(rack).hasSize(10);
        assertThat((Double) rack.get(5).get("value")).isCloseTo(19_166.67, within(0.01));
        assertThat((Double) history.entitySeries("rack", null, "A01", "pdu_power_peak_w", FROM, TO, hour, 100).get(0)
                .get("value")).isCloseTo(19_166.67, within(0.01));
        // A rack has no raw series of its own: raw reads its minutes.
        assertThat(history.entitySeries("rack", null, "A01", "pdu_power_w", FROM, TO, raw, 100)).hasSize(10);
        assertThat(history.entitySeries("pdu", "c", "A01-pdu-a", "power_mean_w", FROM, TO, raw, 1000)).hasSize(600);
        assertThat(history.entitySeries("row", "c", "A", "pdu_power_w", FROM, TO, minute, 100).get(0))
                .containsEntry("value", 24_000.0);
        assertThat(history.entitySeries("cluster", null, "c", "pdu_capacity_w", FROM, TO, hour, 100)).singleElement()
                .satisfies(p -> assertThat(p).containsEntry("value", 90_000.0));
        assertThat(history.entitySeries("cdu", null, "CDU-1", "heat_mean_kw", FROM, TO, hour, 100)).singleElement()
                .satisfies(p -> assertThat((Double) p.get("value")).isCloseTo(418.0, within(1e-9)));
        assertThat(history.entitySeries("host", "test", "h1", "gpu_power_w", FROM, TO, minute, 100).get(0))
                .containsEntry("value", 1200.0);
        assertThat(history.entitySeries("job", null, "job-1", "gpus", FROM, TO, minute, 100)).hasSize(10)
                .allSatisfy(p -> assertThat(p).containsEntry("value", 2L));
        assertThat(history.entitySeries("team", null, "ml", "energy_kwh", FROM, TO, hour, 100)).singleElement()
                .satisfies(p -> assertThat((Double) p.get("value")).isCloseTo(0.2, within(1e-9)));
        assertThatThrownBy(() -> history.entitySeries("rack; DROP TABLE alert", null, "A01", "pdu_power_w", FROM, TO,
                minute, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> history.entitySeries("rack", null, "A01", "pdu_power_w) FROM alert --", FROM, TO,
                minute, 10)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pdu_power_w");
    }

    @Test
    void eachRacksDailyPeakTrendSaysWhenItCrossesNinetyPercentOfCapacity() throws Exception {
        DataSource fresh = TestPostgres.dataSource(TestPostgres.newDatabase());
        SchemaMigrator.migrate(fresh);
        long today = Instant.now().toEpochMilli() / 86_400_000 * 86_400_000;
        TelemetryBatch b = new TelemetryBatch();
        // Ten days: B01's daily peak grows 1 kW a day from 20 kW (capacity 40 kW, 90 % = 36 kW); B02 stays flat.
        // One reading a minute, so each minute's mean is its reading.
        for (int d = 0; d < 10; d++) {
            long day = today - (9 - d) * 86_400_000L;
            for (int s = 0; s < 3; s++) {
                long ts = day + 3_600_000L + s * 60_000L;
                b.add(new PowerSample(ts, "c", "B", "B01", null, PowerSample.Source.RACK_PDU, "B01-pdu",
                        s == 1 ? 20_000.0 + 1000 * d : 15_000.0, 40_000.0, null, new Origin("p", 0, d * 10 + s)));
                b.add(new PowerSample(ts, "c", "B", "B02", null, PowerSample.Source.RACK_PDU, "B02-pdu", 30_000.0,
                        40_000.0, null, new Origin("p", 1, d * 10 + s)));
            }
        }
        try (Connection c = fresh.getConnection()) {
            b.writeTo(c);
            new RollupRefresher(Duration.ofDays(90)).run(c, Instant.now());
        }
        List<Map<String, Object>> f = new HistoryQueries(fresh, Duration.ofSeconds(5))
                .powerForecast(null, Instant.ofEpochMilli(today - 10 * 86_400_000L), Instant.now(), 0.9);
        assertThat(f).hasSize(2);
        Map<String, Object> rising = f.get(0);
        assertThat(rising).containsEntry("rack", "B01").containsEntry("days", 10L).containsEntry("trendWPerDay", 1000.0)
                .containsEntry("lastDailyPeakW", 29_000.0).containsEntry("thresholdW", 36_000.0)
                .containsEntry("alreadyAbove", false);
        // 29 kW today, +1 kW a day: 36 kW in 7 days.
        assertThat((Instant) rising.get("crossesAt")).isEqualTo(Instant.ofEpochMilli(today + 7 * 86_400_000L));
        assertThat(f.get(1)).containsEntry("rack", "B02").containsEntry("crossesAt", null);
    }

    @Test
    void hostileParametersAreOnlyEverValues() throws Exception {
        List<String> corpus = List.of("' OR '1'='1", "h1'; DROP TABLE gpu_sample; --", "\"; DELETE FROM alert; --",
                "h1' UNION SELECT now(), 1 --", "$$; SELECT pg_sleep(10); $$", "\\x00", "%", "*", "h1\nOR 1=1");
        for (String evil : corpus) {
            assertThat(history.gpuSeries(evil, evil, 0, "temp_max_c", FROM, TO, HistoryQueries.Resolution.RAW, 10))
                    .isEmpty();
            for (HistoryQueries.Resolution res : HistoryQueries.Resolution.values()) {
                assertThat(history.powerHeadroom(evil, false, FROM, TO, res)).isEmpty();
                assertThat(history.coolingHeadroom(evil, FROM, TO, res)).isEmpty();
            }
            assertThat(history.powerForecast(evil, FROM, TO, 0.9)).isEmpty();
            for (String entity : HistoryQueries.ENTITIES.keySet()) {
                String metric = HistoryQueries.ENTITIES.get(entity).metrics().keySet().iterator().next();
                assertThat(history.entitySeries(entity, evil, evil, metric, FROM, TO, HistoryQueries.Resolution.RAW, 10))
                        .isEmpty();
            }
        }
        // Names that shape the SQL come from fixed sets.
        assertThatThrownBy(() -> history.gpuSeries("test", "h1", 0, "gpu_temp_c FROM gpu_sample; --", FROM, TO,
                HistoryQueries.Resolution.RAW, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> history.gpuHours("team; DROP TABLE job_event", FROM, TO,
                HistoryQueries.Resolution.MINUTE))
                .isInstanceOf(IllegalArgumentException.class);
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM gpu_sample")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(1200);
        }
    }

    @Test
    void aQueryOverItsTimeoutIsCancelled() {
        HistoryQueries impatient = new HistoryQueries(db, Duration.ofMillis(1));
        assertThatThrownBy(() -> {
            for (int i = 0; i < 20; i++) impatient.gpuHours("team", FROM.minus(Duration.ofDays(3650)), TO,
                    HistoryQueries.Resolution.MINUTE);
            // The 1 ms limit must trip within a few tries on any machine; a query this small may finish first.
            throw new AssertionError("no timeout in 20 tries");
        }).isInstanceOf(SQLException.class).hasMessageContaining("statement timeout");
    }
}
