package io.vigil.storage.writer;

import io.vigil.model.AlertEvent;
import io.vigil.model.CoolingSample;
import io.vigil.model.GpuSample;
import io.vigil.model.JobEvent;
import io.vigil.model.Origin;
import io.vigil.model.PowerSample;
import io.vigil.model.TelemetryRecord;
import io.vigil.model.WireFormat;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.vigil.model.NotificationAttempt;
import io.vigil.model.Silence;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Records collected between two flushes, written in one transaction with one COPY per table (never row by row).
 * Alert events go through a temporary staging table and a merge, so replaying one changes nothing.
 */
public final class TelemetryBatch {

    static final String GPU_COLUMNS = "ts, cluster, row_name, rack, host, gpu, uuid, model, job_id, rank, state, "
            + "gpu_util_pct, sm_active_pct, tensor_active_pct, mem_used_mib, mem_total_mib, gpu_temp_c, mem_temp_c, "
            + "slowdown_temp_c, shutdown_temp_c, power_w, power_limit_w, energy_j, sm_clock_mhz, mem_clock_mhz, "
            + "clock_event_reasons, ecc_corrected, ecc_uncorrected, last_xid, nvlink_tx_bps, nvlink_rx_bps, "
            + "pcie_tx_bps, pcie_rx_bps, origin_collector, origin_boot_ms, origin_seq, pod, namespace, container, mig_instance, "
            + "source, serial, driver_version, core_voltage_v, dram_active_pct, power_throttle_s, thermal_throttle_s, "
            + "hw_throttle_s, sw_throttle_s, pcie_replays, pcie_correctable_errors, pcie_uncorrectable_errors, "
            + "remapped_rows_correctable, remapped_rows_uncorrectable, row_remap_pending, row_remap_failed";
    static final int GPU_FIELDS = GPU_COLUMNS.split(",").length;
    static final String POWER_COLUMNS = "ts, cluster, row_name, rack, host, source, device, power_w, capacity_w, "
            + "phase_current_a, origin_collector, origin_boot_ms, origin_seq, output_power_w, input_voltage_v, efficiency_pct";
    static final String COOLING_COLUMNS = "ts, cluster, row_name, rack, source, device, supply_temp_c, return_temp_c, "
            + "flow_lpm, diff_pressure_kpa, leak_detected, inlet_air_temp_c, outlet_air_temp_c, fan_rpm, serves_racks, "
            + "origin_collector, origin_boot_ms, origin_seq, leak_detectors";
    static final String JOB_COLUMNS = "ts, cluster, job_id, kind, name, team, ranks, origin_collector, "
            + "origin_boot_ms, origin_seq, account, namespace";
    static final String ALERT_COLUMNS = "fingerprint, starts_at, ends_at, state, type, severity, labels, summary, evidence";

    /** GPU samples in binary COPY form (the hot path); the other tables in CSV. */
    private final BinaryCopyRows gpu = new BinaryCopyRows();
    private final StringBuilder power = new StringBuilder();
    private final StringBuilder cooling = new StringBuilder();
    private final StringBuilder jobs = new StringBuilder();
    private final StringBuilder alerts = new StringBuilder();
    private int gpuRows, powerRows, coolingRows, jobRows, alertRows;
    private final GpuRollups minutes = new GpuRollups(60_000);
    private final GpuRollups hours = new GpuRollups(3_600_000);
    private final GpuLatest latest = new GpuLatest();
    private final DeviceRollups powerMinutes = DeviceRollups.power(60_000);
    private final DeviceRollups powerHours = DeviceRollups.power(3_600_000);
    private final DeviceRollups coolingMinutes = DeviceRollups.cooling(60_000);
    private final DeviceRollups coolingHours = DeviceRollups.cooling(3_600_000);
    private final List<NotificationAttempt> notifications = new ArrayList<>();
    private final Map<String, Silence> silences = new LinkedHashMap<>();

    /** A delivery attempt (topic {@code notifications}); repeats of the same attempt are dropped when written. */
    public void add(NotificationAttempt a) {
        notifications.add(a);
    }

    /** A silence, maintenance window or acknowledgement; the newest record per id wins. */
    public void add(Silence s) {
        Silence before = silences.get(s.id());
        if (before == null || !s.updatedAt().isBefore(before.updatedAt())) silences.put(s.id(), s);
    }

    public void add(TelemetryRecord r) {
        if (r instanceof GpuSample s) {
            addGpu(s);
        } else if (r instanceof PowerSample s) {
            CsvRow row = new CsvRow(power).time(s.ts()).text(s.cluster()).text(s.row()).text(s.rack()).text(s.host())
                    .text(s.source().name()).text(s.device()).num(s.powerW()).num(s.capacityW()).numbers(s.phaseCurrentA());
            origin(row, s.origin()).num(s.outputPowerW()).num(s.inputVoltageV()).num(s.efficiencyPct()).end();
            powerRows++;
            powerMinutes.add(s);
            powerHours.add(s);
        } else if (r instanceof CoolingSample s) {
            CsvRow row = new CsvRow(cooling).time(s.ts()).text(s.cluster()).text(s.row()).text(s.rack())
                    .text(s.source().name()).text(s.device()).num(s.supplyTempC()).num(s.returnTempC()).num(s.flowLpm())
                    .num(s.diffPressureKPa()).bool(s.leakDetected()).num(s.inletAirTempC()).num(s.outletAirTempC())
                    .numbers(s.fanRpm()).texts(s.servesRacks());
            origin(row, s.origin()).text(s.leakDetectors() == null ? null : WireFormat.encodeToString(s.leakDetectors()))
                    .end();
            coolingRows++;
            coolingMinutes.add(s);
            coolingHours.add(s);
        } else if (r instanceof JobEvent e) {
            CsvRow row = new CsvRow(jobs).time(e.ts()).text(e.cluster()).text(e.jobId()).text(e.kind().name())
                    .text(e.name()).text(e.team()).text(e.ranks() == null ? null : WireFormat.encodeToString(e.ranks()));
            origin(row, e.origin()).text(e.account()).text(e.namespace()).end();
            jobRows++;
        } else if (r instanceof AlertEvent a) {
            new CsvRow(alerts).text(a.fingerprint()).time(a.startsAt()).time(a.endsAt()).text(a.state().name())
                    .text(a.type().name()).text(a.severity().name()).text(WireFormat.encodeToString(a.labels()))
                    .text(a.summary()).text(WireFormat.encodeToString(a.evidence())).end();
            alertRows++;
        }
    }

    private void addGpu(GpuSample s) {
        Origin o = s.origin();
        gpu.row(GPU_FIELDS).timestamptz(s.ts()).text(s.cluster()).text(s.row()).text(s.rack()).text(s.host())
                .int2(s.gpu()).text(s.uuid()).text(s.model()).text(s.jobId()).int4(s.rank())
                .text(s.state() == null ? null : s.state().name())
                .float4(s.gpuUtilPct()).float4(s.smActivePct()).float4(s.tensorActivePct()).float4(s.memUsedMiB())
                .float4(s.memTotalMiB()).float4(s.gpuTempC()).float4(s.memTempC()).float4(s.slowdownTempC())
                .float4(s.shutdownTempC()).float4(s.powerW()).float4(s.powerLimitW()).float8(s.energyJ())
                .float4(s.smClockMHz()).float4(s.memClockMHz()).int8(s.clockEventReasons()).int8(s.eccCorrected())
                .int8(s.eccUncorrected()).int4(s.lastXid()).float8(s.nvlinkTxBps()).float8(s.nvlinkRxBps())
                .float8(s.pcieTxBps()).float8(s.pcieRxBps())
                .text(o == null ? null : o.collector()).int8(o == null ? null : o.bootEpochMs())
                .int8(o == null ? null : o.sequence())
                .text(s.pod()).text(s.namespace()).text(s.container()).int2(s.migInstance())
                .text(s.source() == null ? null : s.source().name()).text(s.serial()).text(s.driverVersion())
                .float4(s.coreVoltageV()).float4(s.dramActivePct()).float8(s.powerThrottleSeconds())
                .float8(s.thermalThrottleSeconds()).float8(s.hwThrottleSeconds()).float8(s.swThrottleSeconds())
                .int8(s.pcieReplays()).int8(s.pcieCorrectableErrors()).int8(s.pcieUncorrectableErrors())
                .int8(s.remappedRowsCorrectable()).int8(s.remappedRowsUncorrectable()).bool(s.rowRemapPending())
                .bool(s.rowRemapFailed());
        gpuRows++;
        minutes.add(s);
        hours.add(s);
        latest.add(s);
    }

    private static CsvRow origin(CsvRow row, Origin o) {
        return o == null ? row.text(null).num(null).num(null)
                : row.text(o.collector()).num(o.bootEpochMs()).num(o.sequence());
    }

    public int size() {
        return gpuRows + powerRows + coolingRows + jobRows + alertRows + notifications.size() + silences.size();
    }

    public int gpuRows() {
        return gpuRows;
    }

    public int alertRows() {
        return alertRows;
    }

    /** Writes the batch in one transaction; on failure nothing of it is committed and it can be retried as is. */
    public void writeTo(Connection c) throws SQLException {
        io.vigil.storage.sql.Transactions.inTransaction(c, tx -> {
            writeRows(tx);
            return null;
        });
    }

    /** Writes the batch's rows within the caller's transaction (the writer adds its offsets to the same one). */
    public void writeRows(Connection c) throws SQLException {
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        if (gpuRows > 0) {
            gpu.checkValues();
            try {
                copy.copyIn("COPY gpu_sample (" + GPU_COLUMNS + ") FROM STDIN (FORMAT binary)",
                        new java.io.ByteArrayInputStream(gpu.finish()));
            } catch (IOException e) {
                throw new SQLException("COPY into gpu_sample failed: " + e.getMessage(), e);
            }
            latest.write(c, copy);
        }
        mergeRollups(c, copy, "gpu_rollup_1m", GpuRollups.COLUMNS, minutes.csv(), minutes.size(),
                GpuRollups.mergeSql("gpu_rollup_1m", "gpu_rollup_1m_staging"));
        mergeRollups(c, copy, "gpu_rollup_1h", GpuRollups.COLUMNS, hours.csv(), hours.size(),
                GpuRollups.mergeSql("gpu_rollup_1h", "gpu_rollup_1h_staging"));
        copyIn(copy, "power_sample", POWER_COLUMNS, power, powerRows);
        mergeDevices(c, copy, "power_rollup_1m", powerMinutes);
        mergeDevices(c, copy, "power_rollup_1h", powerHours);
        copyIn(copy, "cooling_sample", COOLING_COLUMNS, cooling, coolingRows);
        mergeDevices(c, copy, "cooling_rollup_1m", coolingMinutes);
        mergeDevices(c, copy, "cooling_rollup_1h", coolingHours);
        invalidate(c);
        copyIn(copy, "job_event", JOB_COLUMNS, jobs, jobRows);
        if (alertRows > 0) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TEMP TABLE IF NOT EXISTS alert_staging "
                        + "(LIKE alert INCLUDING DEFAULTS) ON COMMIT DELETE ROWS");
                // Emptied here too: one transaction may stage several batches (the writer's bisection).
                st.execute("DELETE FROM alert_staging");
            }
            copyIn(copy, "alert_staging", ALERT_COLUMNS, alerts, alertRows);
            try (Statement st = c.createStatement()) {
                // A resolved event wins over a firing one whatever order they arrive in; replays are no-ops.
                st.execute("INSERT INTO alert (" + ALERT_COLUMNS + ") "
                        + "SELECT DISTINCT ON (fingerprint, starts_at) " + ALERT_COLUMNS + " FROM alert_staging "
                        + "ORDER BY fingerprint, starts_at, (state = 'RESOLVED') DESC "
                        + "ON CONFLICT (fingerprint, starts_at) DO UPDATE SET "
                        + "state = CASE WHEN alert.state = 'RESOLVED' THEN alert.state ELSE EXCLUDED.state END, "
                        + "ends_at = COALESCE(alert.ends_at, EXCLUDED.ends_at), "
                        + "summary = CASE WHEN alert.state = 'RESOLVED' THEN alert.summary ELSE EXCLUDED.summary END, "
                        + "severity = EXCLUDED.severity, labels = EXCLUDED.labels, "
                        + "evidence = CASE WHEN EXCLUDED.state = 'FIRING' THEN EXCLUDED.evidence ELSE alert.evidence END, "
                        + "updated_at = now()");
            }
        }
        writeNotifications(c);
        writeSilences(c);
    }

    private static void mergeDevices(Connection c, CopyManager copy, String table, DeviceRollups rollups)
            throws SQLException {
        if (rollups.size() == 0) return;
        mergeRollups(c, copy, table, rollups.columns(), rollups.csv(), rollups.size(),
                rollups.mergeSql(table, table + "_staging"));
    }

    private static void mergeRollups(Connection c, CopyManager copy, String table, String columns, StringBuilder csv,
                                     int rows, String mergeSql) throws SQLException {
        if (rows == 0) return;
        String staging = table + "_staging";
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE IF NOT EXISTS " + staging + " (LIKE " + table + ") ON COMMIT DELETE ROWS");
            st.execute("DELETE FROM " + staging);
        }
        copyIn(copy, staging, columns, csv, rows);
        try (Statement st = c.createStatement()) {
            st.execute(mergeSql);
        }
    }

    /**
     * Marks the minutes whose GPU or power-device rollups this batch changed, in the batch's transaction, so the
     * rollup refresh derives their rack and job rows again ({@code RollupRefresher}).
     */
    private void invalidate(Connection c) throws SQLException {
        java.util.Set<Long> buckets = new java.util.TreeSet<>(minutes.buckets());
        buckets.addAll(powerMinutes.buckets());
        if (buckets.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO rollup_invalidation (bucket) SELECT unnest(?::timestamptz[]) ON CONFLICT DO NOTHING")) {
            ps.setArray(1, c.createArrayOf("timestamptz",
                    buckets.stream().map(Timestamp::new).toArray()));
            ps.execute();
        }
    }

    private void writeNotifications(Connection c) throws SQLException {
        if (notifications.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO notification_attempt (notification_id, attempt, at, "
                + "receiver, receiver_type, target, incident, incident_starts_at, action, outcome, latency_ms, "
                + "http_status, error, type, severity, team, summary) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                + "ON CONFLICT DO NOTHING")) {
            for (NotificationAttempt a : notifications) {
                ps.setString(1, a.notificationId());
                ps.setInt(2, a.attempt());
                ps.setTimestamp(3, Timestamp.from(a.at()));
                ps.setString(4, a.receiver());
                ps.setString(5, a.receiverType());
                ps.setString(6, a.target());
                ps.setString(7, a.incident());
                ps.setTimestamp(8, a.incidentStartsAt() == null ? null : Timestamp.from(a.incidentStartsAt()));
                ps.setString(9, a.action().name());
                ps.setString(10, a.outcome().name());
                ps.setLong(11, a.latencyMs());
                ps.setObject(12, a.httpStatus(), Types.INTEGER);
                ps.setString(13, a.error());
                ps.setString(14, a.type());
                ps.setString(15, a.severity());
                ps.setString(16, a.team());
                ps.setString(17, a.summary());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private void writeSilences(Connection c) throws SQLException {
        if (silences.isEmpty()) return;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO silence (id, kind, matchers, incident, starts_at, "
                + "ends_at, created_by, comment, updated_at) VALUES (?,?,?::jsonb,?,?,?,?,?,?) "
                + "ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, matchers = EXCLUDED.matchers, "
                + "incident = EXCLUDED.incident, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, "
                + "created_by = EXCLUDED.created_by, comment = EXCLUDED.comment, updated_at = EXCLUDED.updated_at "
                + "WHERE EXCLUDED.updated_at >= silence.updated_at")) {
            for (Silence s : silences.values()) {
                ps.setString(1, s.id());
                ps.setString(2, s.kind().name());
                ps.setString(3, WireFormat.encodeToString(s.matchers()));
                ps.setString(4, s.incident());
                ps.setTimestamp(5, Timestamp.from(s.startsAt()));
                ps.setTimestamp(6, s.endsAt() == null ? null : Timestamp.from(s.endsAt()));
                ps.setString(7, s.createdBy());
                ps.setString(8, s.comment());
                ps.setTimestamp(9, Timestamp.from(s.updatedAt()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void copyIn(CopyManager copy, String table, String columns, StringBuilder rows, int count)
            throws SQLException {
        if (count == 0) return;
        try {
            copy.copyIn("COPY " + table + " (" + columns + ") FROM STDIN (FORMAT csv)", new StringReader(rows.toString()));
        } catch (IOException e) {
            throw new SQLException("COPY into " + table + " failed: " + e.getMessage(), e);
        }
    }
}
