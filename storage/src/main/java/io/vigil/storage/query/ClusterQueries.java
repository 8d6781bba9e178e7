package io.vigil.storage.query;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Reads the current state of the cluster for the overview. */
public final class ClusterQueries {

    private final DataSource dataSource;

    public ClusterQueries(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * The newest sample of every whole GPU (not its MIG instances) heard from within {@code window} of the newest sample overall (measured in
     * event time, so a replay or a simulated clock shows consistently), ordered by rack, host and GPU.
     */
    public List<GpuStatus> latestGpuStatus(Duration window) throws SQLException {
        String sql = "SELECT DISTINCT ON (cluster, host, gpu) cluster, row_name, rack, host, gpu, ts, gpu_temp_c, "
                + "slowdown_temp_c, power_w, gpu_util_pct, sm_clock_mhz, clock_event_reasons, job_id, rank "
                + "FROM gpu_sample WHERE ts > (SELECT max(ts) FROM gpu_sample) - make_interval(secs => ?) "
                + "AND mig_instance IS NULL "
                // In-band samples (NVML, DCGM) win over a BMC's reading of the same index within the window.
                + "ORDER BY cluster, host, gpu, (source = 'REDFISH') NULLS FIRST, ts DESC";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setDouble(1, window.toMillis() / 1000.0);
            List<GpuStatus> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new GpuStatus(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getInt(5), rs.getTimestamp(6).toInstant(), dbl(rs, 7), dbl(rs, 8), dbl(rs, 9),
                            dbl(rs, 10), dbl(rs, 11), lng(rs, 12), rs.getString(13), integer(rs, 14)));
                }
            }
            out.sort(java.util.Comparator.comparing((GpuStatus g) -> g.rack() == null ? "" : g.rack())
                    .thenComparing(GpuStatus::host).thenComparingInt(GpuStatus::gpu));
            return out;
        }
    }

    private static Double dbl(ResultSet rs, int i) throws SQLException {
        double v = rs.getDouble(i);
        return rs.wasNull() ? null : v;
    }

    private static Long lng(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }

    private static Integer integer(ResultSet rs, int i) throws SQLException {
        int v = rs.getInt(i);
        return rs.wasNull() ? null : v;
    }
}
