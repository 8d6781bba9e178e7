package io.vigil.storage.writer;

import io.vigil.model.GpuSample;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.postgresql.copy.CopyManager;

/**
 * The newest sample of each whole GPU in a batch, upserted into {@code gpu_latest} in the batch's transaction: the
 * table the console's overview reads (one row per GPU) instead of the last seconds of {@code gpu_sample}.
 *
 * <p>Which sample wins: a newer one from the same kind of source; an in-band one (NVML, DCGM) over a BMC's
 * (Redfish) reading unless it is more than {@link #IN_BAND_PREFERENCE_MS} older than that reading, so a GPU whose
 * in-band collector stopped still shows its BMC's figures. The same rule applies within a batch (here) and against
 * the stored row (in the upsert's WHERE), so the result does not depend on how records fall into batches, and a
 * batch written again (a replay after a crash) changes nothing.
 */
final class GpuLatest {

    /** How much older an in-band sample may be than a BMC's reading and still be shown instead of it. */
    static final long IN_BAND_PREFERENCE_MS = 15_000;

    static final String COLUMNS = "cluster, host, gpu, row_name, rack, ts, source, gpu_temp_c, slowdown_temp_c, "
            + "power_w, gpu_util_pct, sm_clock_mhz, clock_event_reasons, job_id, rank";
    private static final int FIELDS = COLUMNS.split(",").length;

    private record Key(String cluster, String host, int gpu) {}

    private final Map<Key, GpuSample> newest = new HashMap<>();

    void add(GpuSample s) {
        if (s.migInstance() != null) return;
        newest.merge(new Key(s.cluster(), s.host(), s.gpu()), s, (had, now) -> replaces(had, now) ? now : had);
    }

    int size() {
        return newest.size();
    }

    /** Whether {@code now} should be shown instead of {@code had}, the same rule as the upsert's WHERE. */
    static boolean replaces(GpuSample had, GpuSample now) {
        boolean hadBmc = had.source() == GpuSample.Source.REDFISH, nowBmc = now.source() == GpuSample.Source.REDFISH;
        if (hadBmc == nowBmc) return now.ts() > had.ts();
        if (hadBmc) return now.ts() > had.ts() - IN_BAND_PREFERENCE_MS; // in-band over a BMC's reading
        return now.ts() > had.ts() + IN_BAND_PREFERENCE_MS; // a BMC's reading once the in-band one is stale
    }

    /** Upserts the batch's rows, in key order so that two writers touching the same GPUs cannot deadlock. */
    void write(Connection c, CopyManager copy) throws SQLException {
        if (newest.isEmpty()) return;
        BinaryCopyRows rows = new BinaryCopyRows();
        for (GpuSample s : newest.values()) {
            rows.row(FIELDS).text(s.cluster()).text(s.host()).int2(s.gpu()).text(s.row()).text(s.rack())
                    .timestamptz(s.ts()).text(s.source() == null ? null : s.source().name()).float4(s.gpuTempC())
                    .float4(s.slowdownTempC()).float4(s.powerW()).float4(s.gpuUtilPct()).float4(s.smClockMHz())
                    .int8(s.clockEventReasons()).text(s.jobId()).int4(s.rank());
        }
        rows.checkValues();
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE IF NOT EXISTS gpu_latest_staging (LIKE gpu_latest) ON COMMIT DELETE ROWS");
            st.execute("DELETE FROM gpu_latest_staging");
        }
        try {
            copy.copyIn("COPY gpu_latest_staging (" + COLUMNS + ") FROM STDIN (FORMAT binary)",
                    new ByteArrayInputStream(rows.finish()));
        } catch (IOException e) {
            throw new SQLException("COPY into gpu_latest_staging failed: " + e.getMessage(), e);
        }
        try (Statement st = c.createStatement()) {
            st.execute(UPSERT);
        }
    }

    private static final String BMC_NOW = "(EXCLUDED.source = 'REDFISH')";
    private static final String BMC_HAD = "(l.source = 'REDFISH')";
    private static final String MARGIN = "make_interval(secs => " + IN_BAND_PREFERENCE_MS / 1000.0 + ")";
    private static final String UPSERT = "INSERT INTO gpu_latest AS l (" + COLUMNS + ") SELECT " + COLUMNS
            + " FROM gpu_latest_staging ORDER BY cluster, host, gpu ON CONFLICT (cluster, host, gpu) DO UPDATE SET "
            + "row_name = EXCLUDED.row_name, rack = EXCLUDED.rack, ts = EXCLUDED.ts, source = EXCLUDED.source, "
            + "gpu_temp_c = EXCLUDED.gpu_temp_c, slowdown_temp_c = EXCLUDED.slowdown_temp_c, "
            + "power_w = EXCLUDED.power_w, gpu_util_pct = EXCLUDED.gpu_util_pct, "
            + "sm_clock_mhz = EXCLUDED.sm_clock_mhz, clock_event_reasons = EXCLUDED.clock_event_reasons, "
            + "job_id = EXCLUDED.job_id, rank = EXCLUDED.rank WHERE CASE "
            + "WHEN coalesce(" + BMC_HAD + ", false) = coalesce(" + BMC_NOW + ", false) THEN EXCLUDED.ts > l.ts "
            + "WHEN coalesce(" + BMC_HAD + ", false) THEN EXCLUDED.ts > l.ts - " + MARGIN + " "
            + "ELSE EXCLUDED.ts > l.ts + " + MARGIN + " END";
}
