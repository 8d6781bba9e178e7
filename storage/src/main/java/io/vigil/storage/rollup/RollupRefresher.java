package io.vigil.storage.rollup;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

/**
 * Derives the per-rack and per-job rollups ({@code rack_power_1m/1h}, {@code job_rollup_1m/1h}) for the minutes
 * the writer marked in {@code rollup_invalidation}: each marked minute is recomputed whole from the per-GPU and
 * per-device minute rollups, then each hour containing one from the derived minutes. One transaction per run, so a
 * reader sees a minute's old rows or its new ones, never none; a run that fails leaves the marks for the next.
 *
 * <p>Guarantee: after a run, every derived row of a marked minute (and its hour) equals SQL over the source rollups
 * at that moment; a sample that arrives later marks its minute again. Hours that begin before the per-minute
 * retention are not recomputed, since their minutes may already be gone (a sample that late still joins the per-GPU
 * and per-device hourly rollups, which are additive). Runs are serialised across writers by an advisory lock.
 */
public final class RollupRefresher {

    /** Any constant: one refresh at a time across all writers on the database. */
    private static final long LOCK = 0x5649474C_0011L;

    /** What one run did. */
    public record Result(int minutes, int hours, boolean skipped) {}

    private final Duration minuteRetention;

    public RollupRefresher(Duration minuteRetention) {
        this.minuteRetention = minuteRetention;
    }

    public Result run(Connection c, Instant now) throws SQLException {
        return io.vigil.storage.sql.Transactions.inTransaction(c, tx -> refresh(tx, now));
    }

    private Result refresh(Connection c, Instant now) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT pg_try_advisory_xact_lock(" + LOCK + ")")) {
            rs.next();
            if (!rs.getBoolean(1)) return new Result(0, 0, true); // another writer is refreshing
        }
        int minutes, hours;
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE IF NOT EXISTS refresh_minute (bucket timestamptz PRIMARY KEY) "
                    + "ON COMMIT DELETE ROWS");
            st.execute("CREATE TEMP TABLE IF NOT EXISTS refresh_hour (bucket timestamptz PRIMARY KEY) "
                    + "ON COMMIT DELETE ROWS");
            st.execute("DELETE FROM refresh_minute");
            st.execute("DELETE FROM refresh_hour");
            minutes = st.executeUpdate("WITH taken AS (DELETE FROM rollup_invalidation RETURNING bucket) "
                    + "INSERT INTO refresh_minute SELECT bucket FROM taken");
            if (minutes == 0) return new Result(0, 0, false);
            st.execute("ANALYZE refresh_minute");
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO refresh_hour SELECT DISTINCT "
                + "date_trunc('hour', bucket, 'UTC') FROM refresh_minute "
                + "WHERE date_trunc('hour', bucket, 'UTC') >= ?")) {
            ps.setTimestamp(1, Timestamp.from(now.minus(minuteRetention)));
            hours = ps.executeUpdate();
        }
        try (Statement st = c.createStatement()) {
            st.execute("DELETE FROM rack_power_1m r USING refresh_minute m WHERE r.bucket = m.bucket");
            st.execute(RACK_MINUTES);
            st.execute("DELETE FROM job_rollup_1m j USING refresh_minute m WHERE j.bucket = m.bucket");
            st.execute(JOB_MINUTES);
            st.execute("DELETE FROM rack_power_1h r USING refresh_hour h WHERE r.bucket = h.bucket");
            st.execute(RACK_HOURS);
            st.execute("DELETE FROM job_rollup_1h j USING refresh_hour h WHERE j.bucket = h.bucket");
            st.execute(JOB_HOURS);
        }
        return new Result(minutes, hours, false);
    }

    /** A rack's minute: its rack PDUs' means summed (shelves and host PSUs are not the rack's feed), its GPUs' too. */
    static final String RACK_MINUTES = "INSERT INTO rack_power_1m (bucket, cluster, rack, row_name, pdus, pdu_power_w, "
            + "pdu_capacity_w, gpus, gpu_power_w, gpu_temp_max_c, gpu_util_mean_pct) "
            + "SELECT COALESCE(g.bucket, p.bucket), COALESCE(g.cluster, p.cluster), COALESCE(g.rack, p.rack), "
            + "COALESCE(p.row_name, g.row_name), COALESCE(p.pdus, 0), p.power, p.capacity, COALESCE(g.gpus, 0), "
            + "g.power, g.temp_max, g.util "
            + "FROM (SELECT r.bucket, r.cluster, COALESCE(r.rack, '') AS rack, max(r.row_name) AS row_name, "
            + "count(*) AS gpus, sum(r.power_sum / NULLIF(r.power_n, 0)) AS power, max(r.temp_max) AS temp_max, "
            + "avg(r.util_sum / NULLIF(r.util_n, 0)) AS util FROM gpu_rollup_1m r JOIN refresh_minute m "
            + "ON m.bucket = r.bucket GROUP BY 1, 2, 3) g "
            + "FULL JOIN (SELECT r.bucket, r.cluster, COALESCE(r.rack, '') AS rack, max(r.row_name) AS row_name, "
            + "count(*) AS pdus, sum(r.power_sum / NULLIF(r.power_n, 0)) AS power, sum(r.capacity_max) AS capacity "
            + "FROM power_rollup_1m r JOIN refresh_minute m ON m.bucket = r.bucket WHERE r.source = 'RACK_PDU' "
            + "GROUP BY 1, 2, 3) p ON p.bucket = g.bucket AND p.cluster = g.cluster AND p.rack = g.rack";

    static final String JOB_MINUTES = "INSERT INTO job_rollup_1m (bucket, cluster, job_id, gpus, power_w, energy_j, "
            + "util_sum, util_n, idle_gpus) "
            + "SELECT r.bucket, r.cluster, r.job_id, count(*), COALESCE(sum(r.power_sum / NULLIF(r.power_n, 0)), 0), "
            + "COALESCE(sum(r.power_sum / NULLIF(r.power_n, 0)), 0) * 60, "
            + "COALESCE(sum(r.util_sum / NULLIF(r.util_n, 0)), 0), count(r.util_sum / NULLIF(r.util_n, 0)), "
            + "count(*) FILTER (WHERE r.util_sum / NULLIF(r.util_n, 0) < 5) "
            + "FROM gpu_rollup_1m r JOIN refresh_minute m ON m.bucket = r.bucket WHERE r.job_id IS NOT NULL "
            + "GROUP BY r.bucket, r.cluster, r.job_id";

    static final String RACK_HOURS = "INSERT INTO rack_power_1h (bucket, cluster, rack, row_name, minutes, "
            + "pdu_power_mean_w, pdu_power_peak_w, pdu_capacity_w, gpus_max, gpu_power_mean_w, gpu_power_peak_w, "
            + "gpu_temp_max_c, gpu_util_mean_pct) "
            + "SELECT h.bucket, r.cluster, r.rack, max(r.row_name), count(*), avg(r.pdu_power_w), max(r.pdu_power_w), "
            + "max(r.pdu_capacity_w), max(r.gpus), avg(r.gpu_power_w), max(r.gpu_power_w), max(r.gpu_temp_max_c), "
            + "avg(r.gpu_util_mean_pct) FROM rack_power_1m r JOIN refresh_hour h "
            + "ON r.bucket >= h.bucket AND r.bucket < h.bucket + interval '1 hour' GROUP BY h.bucket, r.cluster, r.rack";

    static final String JOB_HOURS = "INSERT INTO job_rollup_1h (bucket, cluster, job_id, minutes, gpu_minutes, "
            + "gpus_max, power_peak_w, energy_j, util_sum, util_n, idle_gpu_minutes) "
            + "SELECT h.bucket, j.cluster, j.job_id, count(*), sum(j.gpus), max(j.gpus), max(j.power_w), "
            + "sum(j.energy_j), sum(j.util_sum), sum(j.util_n), sum(j.idle_gpus) FROM job_rollup_1m j "
            + "JOIN refresh_hour h ON j.bucket >= h.bucket AND j.bucket < h.bucket + interval '1 hour' "
            + "GROUP BY h.bucket, j.cluster, j.job_id";
}
