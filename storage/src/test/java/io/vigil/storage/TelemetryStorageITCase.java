package io.vigil.storage;

import static io.vigil.testsupport.GpuSamples.T0;
import static io.vigil.testsupport.GpuSamples.healthy;
import static io.vigil.testsupport.GpuSamples.throttled;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.CoolingSample;
import io.vigil.model.JobEvent;
import io.vigil.model.Origin;
import io.vigil.model.PowerSample;
import io.vigil.storage.query.AlertQueries;
import io.vigil.storage.query.AlertRow;
import io.vigil.storage.query.ClusterQueries;
import io.vigil.storage.query.GpuStatus;
import io.vigil.storage.schema.SchemaMigrator;
import io.vigil.storage.writer.TelemetryBatch;
import io.vigil.testsupport.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Schema, COPY batches and queries against a real PostgreSQL. */
class TelemetryStorageITCase {

    DataSource db;

    @BeforeEach
    void freshDatabase() {
        db = TestPostgres.dataSource(TestPostgres.newDatabase());
        SchemaMigrator.migrate(db);
    }

    long count(String sql) throws Exception {
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    void write(TelemetryBatch batch) throws Exception {
        try (Connection c = db.getConnection()) {
            batch.writeTo(c);
        }
    }

    static AlertEvent alert(AlertEvent.State state, Instant start, Instant end, String summary) {
        Map<String, String> labels = Map.of("cluster", "test", "host", "h1", "gpu", "2");
        return new AlertEvent(AlertEvent.fingerprint(AlertType.THERMAL, labels), AlertType.THERMAL,
                AlertEvent.Severity.WARNING, state, start, end, labels, summary,
                state == AlertEvent.State.FIRING ? Map.of("gpuTempC", 90.0) : Map.of(), new Origin("d", 0, 1), null);
    }

    @Test
    void everyKindIsWrittenWithCopyAndAbsentFieldsStayNull() throws Exception {
        TelemetryBatch batch = new TelemetryBatch();
        long lastSeq = -1;
        for (int s = 0; s < 10; s++) {
            for (int g = 0; g < 8; g++) {
                var sample = healthy("h1", g, T0 + s * 1000L).build();
                lastSeq = Math.max(lastSeq, sample.origin().sequence());
                batch.add(sample);
            }
        }
        batch.add(healthy("h2", 0, T0).tensorActivePct(null).host("h2, \"quoted\"").pod("trainer-0").namespace("ml")
                .container("main").build());
        batch.add(new PowerSample(T0, "test", "A", "A01", null, PowerSample.Source.RACK_PDU, "pdu-1", 31_000.0,
                60_000.0, List.of(44.9, 45.0, 45.1), new Origin("c", 1, 1)));
        batch.add(new CoolingSample(T0, "test", "A", null, CoolingSample.Source.CDU, "CDU-1", 30.1, 38.2, 420.0, 120.0,
                false, null, null, null, List.of("A01", "A02"), new Origin("c", 1, 2)));
        batch.add(new JobEvent(T0, "test", "job-1", JobEvent.Kind.START, "pretrain", "team-a",
                List.of(new JobEvent.RankAllocation(0, "h1", 0, "GPU-h1-0")), new Origin("c", 1, 3)));
        assertThat(batch.size()).isEqualTo(84);
        write(batch);

        assertThat(count("SELECT count(*) FROM gpu_sample")).isEqualTo(81);
        assertThat(count("SELECT count(*) FROM gpu_sample WHERE tensor_active_pct IS NULL")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM gpu_sample WHERE host = 'h2, \"quoted\"' AND pod = 'trainer-0' "
                + "AND namespace = 'ml' AND container = 'main'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM gpu_sample WHERE pod IS NULL")).isEqualTo(80);
        assertThat(count("SELECT count(*) FROM gpu_sample WHERE ts = to_timestamp(" + T0 / 1000 + ")")).isEqualTo(9);
        assertThat(count("SELECT count(*) FROM power_sample WHERE phase_current_a[2] = 45.0")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM cooling_sample WHERE serves_racks = ARRAY['A01','A02'] "
                + "AND inlet_air_temp_c IS NULL AND leak_detected = false")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM job_event WHERE ranks->0->>'host' = 'h1'")).isEqualTo(1);
        assertThat(count("SELECT max(origin_seq) FROM gpu_sample WHERE host = 'h1'")).isEqualTo(lastSeq);
    }

    @Test
    void everyGpuColumnRoundTripsThroughBinaryCopy() throws Exception {
        TelemetryBatch batch = new TelemetryBatch();
        batch.add(io.vigil.model.GpuSample.builder().ts(T0 + 123).cluster("c-ü").row("").rack("R 1").host("h'1")
                .gpu(7).migInstance(3).uuid("GPU-x").model("H100").jobId("j,1").rank(42).pod("p").namespace("ns")
                .container("ctr").state(io.vigil.model.GpuSample.GpuState.LOST).gpuUtilPct(1.5).smActivePct(2.5)
                .tensorActivePct(3.5).memUsedMiB(4.5).memTotalMiB(5.5).gpuTempC(6.5).memTempC(7.5).slowdownTempC(8.5)
                .shutdownTempC(9.5).powerW(10.5).powerLimitW(11.5).energyJ(1.2345678901234e12).smClockMHz(12.5)
                .memClockMHz(13.5).clockEventReasons(1L << 40).eccCorrected(14L).eccUncorrected(15L).lastXid(79)
                .nvlinkTxBps(1.6e11).nvlinkRxBps(1.7e11).pcieTxBps(1.8e9).pcieRxBps(1.9e9)
                .origin(new Origin("col", 1_700_000_000_000L, 9_000_000_000L))
                .source(io.vigil.model.GpuSample.Source.REDFISH).serial("S1").driverVersion("570.1")
                .coreVoltageV(0.75).dramActivePct(20.5).powerThrottleSeconds(21.25).thermalThrottleSeconds(22.25)
                .hwThrottleSeconds(23.25).swThrottleSeconds(24.25).pcieReplays(25L).pcieCorrectableErrors(26L)
                .pcieUncorrectableErrors(27L).remappedRowsCorrectable(28L).remappedRowsUncorrectable(29L)
                .rowRemapPending(true).rowRemapFailed(false).build());
        write(batch);
        String expected = "ts=" + Instant.ofEpochMilli(T0 + 123) + " cluster=c-ü row_name= rack=R 1 host=h'1 gpu=7 "
                + "uuid=GPU-x model=H100 job_id=j,1 rank=42 state=LOST gpu_util_pct=1.5 sm_active_pct=2.5 "
                + "tensor_active_pct=3.5 mem_used_mib=4.5 mem_total_mib=5.5 gpu_temp_c=6.5 mem_temp_c=7.5 "
                + "slowdown_temp_c=8.5 shutdown_temp_c=9.5 power_w=10.5 power_limit_w=11.5 energy_j=1.2345678901234E12 "
                + "sm_clock_mhz=12.5 mem_clock_mhz=13.5 clock_event_reasons=1099511627776 ecc_corrected=14 "
                + "ecc_uncorrected=15 last_xid=79 nvlink_tx_bps=1.6E11 nvlink_rx_bps=1.7E11 pcie_tx_bps=1.8E9 "
                + "pcie_rx_bps=1.9E9 origin_collector=col origin_boot_ms=1700000000000 origin_seq=9000000000 pod=p "
                + "namespace=ns container=ctr mig_instance=3 source=REDFISH serial=S1 driver_version=570.1 "
                + "core_voltage_v=0.75 dram_active_pct=20.5 power_throttle_s=21.25 thermal_throttle_s=22.25 "
                + "hw_throttle_s=23.25 sw_throttle_s=24.25 pcie_replays=25 pcie_correctable_errors=26 "
                + "pcie_uncorrectable_errors=27 remapped_rows_correctable=28 remapped_rows_uncorrectable=29 "
                + "row_remap_pending=true row_remap_failed=false";
        StringBuilder got = new StringBuilder();
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT * FROM gpu_sample")) {
            assertThat(rs.next()).isTrue();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                Object v = rs.getObject(i);
                if (v instanceof java.sql.Timestamp t) v = t.toInstant();
                got.append(i > 1 ? " " : "").append(rs.getMetaData().getColumnName(i)).append('=').append(v);
            }
            assertThat(rs.next()).isFalse();
        }
        assertThat(got.toString()).isEqualTo(expected);
        // A value its column cannot hold is PostgreSQL's data error, not a silent infinity; nothing is written.
        TelemetryBatch tooBig = new TelemetryBatch();
        tooBig.add(healthy("h2", 0, T0).build());
        tooBig.add(healthy("h3", 0, T0).powerW(1e39).build());
        try (Connection c = db.getConnection()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> tooBig.writeTo(c))
                    .isInstanceOf(java.sql.SQLException.class).hasMessageContaining("out of range for type real")
                    .satisfies(e -> assertThat(((java.sql.SQLException) e).getSQLState()).isEqualTo("22003"));
        }
        assertThat(count("SELECT count(*) FROM gpu_sample")).isEqualTo(1);
    }

    @Test
    void latestStatusHasOneRowPerGpuFromItsNewestSample() throws Exception {
        TelemetryBatch batch = new TelemetryBatch();
        for (int s = 0; s < 5; s++) {
            batch.add(healthy("h1", 0, T0 + s * 1000L).gpuTempC(60.0 + s).build());
            batch.add(healthy("h1", 1, T0 + s * 1000L).build());
        }
        batch.add(healthy("old", 0, T0 - 3_600_000).build());
        // A MIG instance of h1/gpu0: stored, but the overview shows whole GPUs.
        batch.add(healthy("h1", 0, T0 + 5000).migInstance(1).gpuTempC(null).build());
        write(batch);
        assertThat(count("SELECT count(*) FROM gpu_sample WHERE mig_instance = 1")).isEqualTo(1);
        List<GpuStatus> status = new ClusterQueries(db).latestGpuStatus(Duration.ofSeconds(30));
        assertThat(status).extracting(GpuStatus::host, GpuStatus::gpu).containsExactly(
                org.assertj.core.groups.Tuple.tuple("h1", 0), org.assertj.core.groups.Tuple.tuple("h1", 1));
        assertThat(status.get(0).tempC()).isEqualTo(64.0);
        assertThat(status.get(0).ts()).isEqualTo(Instant.ofEpochMilli(T0 + 4000));
        assertThat(status.get(0).jobId()).isEqualTo("job-1");
    }

    @Test
    void outOfBandReadingsAreStoredAndTheOverviewPrefersInBandSamples() throws Exception {
        TelemetryBatch batch = new TelemetryBatch();
        batch.add(healthy("h1", 0, T0).source(io.vigil.model.GpuSample.Source.DCGM).gpuTempC(61.0).build());
        batch.add(healthy("h1", 0, T0 + 500).source(io.vigil.model.GpuSample.Source.REDFISH).jobId(null).rank(null)
                .gpuTempC(64.0).serial("1654925000100").powerThrottleSeconds(12.5).pcieReplays(7L)
                .remappedRowsUncorrectable(1L).rowRemapPending(true).build());
        batch.add(new PowerSample(T0, "test", "C", "R12", null, PowerSample.Source.PSU, "shelf/PSU_0", 3600.0, 5500.0,
                null, new Origin("c", 0, 1), 3420.0, 230.4, 95.0));
        batch.add(new CoolingSample(T0, "test", "C", "R12", CoolingSample.Source.CHASSIS, "n1/tray", 31.0, 44.0, 6.0,
                null, true, null, null, null, null, new Origin("c", 0, 2), List.of(
                        new CoolingSample.LeakDetector("ColdPlate_2", CoolingSample.LeakDetector.State.CRITICAL))));
        write(batch);
        assertThat(count("SELECT count(*) FROM gpu_sample WHERE source = 'REDFISH' AND serial = '1654925000100' "
                + "AND power_throttle_s = 12.5 AND pcie_replays = 7 AND remapped_rows_uncorrectable = 1 "
                + "AND row_remap_pending")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM power_sample WHERE source = 'PSU' AND output_power_w = 3420 "
                + "AND efficiency_pct = 95")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM cooling_sample WHERE leak_detectors->0->>'state' = 'CRITICAL'"))
                .isEqualTo(1);
        List<GpuStatus> status = new ClusterQueries(db).latestGpuStatus(Duration.ofSeconds(30));
        assertThat(status).singleElement().satisfies(g -> assertThat(g.tempC()).as("the DCGM sample").isEqualTo(61.0));
    }

    @Test
    void theLatestRowIgnoresOlderSamplesAndReplaysWhateverTheBatches() throws Exception {
        TelemetryBatch newer = new TelemetryBatch();
        newer.add(healthy("h1", 0, T0 + 5000).gpuTempC(70.0).build());
        write(newer);
        TelemetryBatch older = new TelemetryBatch();
        older.add(healthy("h1", 0, T0 + 1000).gpuTempC(50.0).build()); // arrives late, in a later batch
        write(older);
        write(newer); // a replay after a crash
        assertThat(latestTemp("h1", 0)).isEqualTo(70.0);
        assertThat(count("SELECT count(*) FROM gpu_latest")).isEqualTo(1);
        TelemetryBatch next = new TelemetryBatch();
        next.add(healthy("h1", 0, T0 + 6000).gpuTempC(71.0).build());
        write(next);
        assertThat(latestTemp("h1", 0)).isEqualTo(71.0);
        assertThat(new ClusterQueries(db).gpuStatusSince(Instant.ofEpochMilli(T0 + 5500)))
                .singleElement().satisfies(g -> assertThat(g.ts()).isEqualTo(Instant.ofEpochMilli(T0 + 6000)));
        assertThat(new ClusterQueries(db).gpuStatusSince(Instant.ofEpochMilli(T0 + 6000))).isEmpty();
    }

    @Test
    void aBmcReadingIsShownOnlyOnceTheInBandSampleIsStaleTheSameInOneBatchOrMany() throws Exception {
        io.vigil.model.GpuSample dcgm = healthy("h1", 0, T0).source(io.vigil.model.GpuSample.Source.DCGM)
                .gpuTempC(61.0).build();
        io.vigil.model.GpuSample bmcSoon = healthy("h1", 0, T0 + 10_000)
                .source(io.vigil.model.GpuSample.Source.REDFISH).gpuTempC(64.0).build();
        io.vigil.model.GpuSample bmcLate = healthy("h1", 0, T0 + 20_000)
                .source(io.vigil.model.GpuSample.Source.REDFISH).gpuTempC(66.0).build();
        io.vigil.model.GpuSample dcgmAgain = healthy("h1", 0, T0 + 6_000)
                .source(io.vigil.model.GpuSample.Source.DCGM).gpuTempC(62.0).build();
        // One batch at a time: the BMC's reading 10 s newer does not replace the in-band sample, 20 s newer does,
        // and an in-band sample within 15 s of the BMC's reading takes its place again.
        for (var s : List.of(dcgm, bmcSoon)) write(batchOf(s));
        assertThat(latestTemp("h1", 0)).isEqualTo(61.0);
        write(batchOf(bmcLate));
        assertThat(latestTemp("h1", 0)).isEqualTo(66.0);
        write(batchOf(dcgmAgain));
        assertThat(latestTemp("h1", 0)).isEqualTo(62.0);
        // All four in one batch, for another GPU: the same outcome.
        TelemetryBatch one = new TelemetryBatch();
        for (var s : List.of(dcgm, bmcSoon, bmcLate, dcgmAgain)) one.add(s.toBuilder().gpu(1).build());
        write(one);
        assertThat(latestTemp("h1", 1)).isEqualTo(62.0);
    }

    private static TelemetryBatch batchOf(io.vigil.model.GpuSample s) {
        TelemetryBatch b = new TelemetryBatch();
        b.add(s);
        return b;
    }

    private double latestTemp(String host, int gpu) throws Exception {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement(
                "SELECT gpu_temp_c FROM gpu_latest WHERE host = ? AND gpu = ?")) {
            ps.setString(1, host);
            ps.setInt(2, gpu);
            try (var rs = ps.executeQuery()) {
                assertThat(rs.next()).as("a latest row for %s/%d", host, gpu).isTrue();
                return rs.getDouble(1);
            }
        }
    }

    @Test
    void alertEpisodesMergeIdempotentlyWhateverTheOrder() throws Exception {
        Instant start = Instant.ofEpochMilli(T0), end = Instant.ofEpochMilli(T0 + 60_000);
        AlertEvent firing = alert(AlertEvent.State.FIRING, start, null, "hot");
        AlertEvent resolved = alert(AlertEvent.State.RESOLVED, start, end, "cooled");

        TelemetryBatch first = new TelemetryBatch();
        first.add(firing);
        write(first);
        List<AlertRow> rows = new AlertQueries(db).list(AlertEvent.State.FIRING, 10);
        assertThat(rows).singleElement().satisfies(r -> {
            assertThat(r.summary()).isEqualTo("hot");
            assertThat(r.evidence()).containsEntry("gpuTempC", 90.0);
            assertThat(r.labels()).containsEntry("host", "h1");
        });

        // Resolved, then the firing event replayed (a restart): still one episode, resolved, evidence kept.
        TelemetryBatch second = new TelemetryBatch();
        second.add(resolved);
        write(second);
        TelemetryBatch replay = new TelemetryBatch();
        replay.add(firing);
        replay.add(resolved);
        replay.add(firing);
        write(replay);

        assertThat(count("SELECT count(*) FROM alert")).isEqualTo(1);
        assertThat(new AlertQueries(db).list(AlertEvent.State.FIRING, 10)).isEmpty();
        assertThat(new AlertQueries(db).list(null, 10)).singleElement().satisfies(r -> {
            assertThat(r.state()).isEqualTo("RESOLVED");
            assertThat(r.endsAt()).isEqualTo(end);
            assertThat(r.summary()).isEqualTo("cooled");
            assertThat(r.evidence()).containsEntry("gpuTempC", 90.0);
        });

        // A later episode of the same problem is a second row.
        TelemetryBatch again = new TelemetryBatch();
        again.add(alert(AlertEvent.State.FIRING, end.plusSeconds(600), null, "hot again"));
        write(again);
        assertThat(new AlertQueries(db).list(null, 10)).extracting(AlertRow::state).containsExactly("FIRING", "RESOLVED");
    }

    @Test
    void aFailedBatchCommitsNothingAndCanBeRetried() throws Exception {
        TelemetryBatch batch = new TelemetryBatch();
        batch.add(healthy("h1", 0, T0).build());
        batch.add(throttled("h1", 1, T0, 90).build());
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE power_sample RENAME TO power_sample_moved");
        }
        batch.add(new PowerSample(T0, "test", null, null, "h1", PowerSample.Source.HOST_PSU, "psu", 1.0, null, null, null));
        try (Connection c = db.getConnection()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> batch.writeTo(c))
                    .isInstanceOf(java.sql.SQLException.class);
        }
        assertThat(count("SELECT count(*) FROM gpu_sample")).isZero();
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE power_sample_moved RENAME TO power_sample");
        }
        write(batch);
        assertThat(count("SELECT count(*) FROM gpu_sample")).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM power_sample")).isEqualTo(1);
    }
}
