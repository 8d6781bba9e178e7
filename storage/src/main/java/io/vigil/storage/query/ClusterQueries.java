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
        java.time.Instant newest = newestGpuSample();
        if (newest == null) return new ArrayList<>();
        List<GpuStatus> out = gpuStatusSince(newest.minus(window));
        out.sort(java.util.Comparator.comparing((GpuStatus g) -> g.rack() == null ? "" : g.rack())
                .thenComparing(GpuStatus::host).thenComparingInt(GpuStatus::gpu));
        return out;
    }

    /**
     * The newest sample of every whole GPU among those stamped after {@code since} (event time), unordered: the
     * incremental read behind a live view that keeps the latest state itself and asks only for what is new (with
     * some overlap, for samples that arrive late). It reads {@code gpu_latest}, one row per GPU that the writer keeps
     * in the transaction of the samples (an in-band sample preferred over a BMC's reading of the same GPU).
     */
    public List<GpuStatus> gpuStatusSince(java.time.Instant since) throws SQLException {
        String sql = "SELECT cluster, row_name, rack, host, gpu, ts, gpu_temp_c, slowdown_temp_c, power_w, "
                + "gpu_util_pct, sm_clock_mhz, clock_event_reasons, job_id, rank FROM gpu_latest WHERE ts > ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setTimestamp(1, java.sql.Timestamp.from(since));
            return gpuStatuses(ps);
        }
    }

    /** The newest sample's time of any whole GPU, or null with none stored. */
    public java.time.Instant newestGpuSample() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT max(ts) FROM gpu_latest"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            java.sql.Timestamp t = rs.getTimestamp(1);
            return t == null ? null : t.toInstant();
        }
    }

    /** A power device's newest reading (rack PDU, power shelf, PSU). */
    public record PowerReading(String cluster, String row, String rack, String source, String device,
                               java.time.Instant ts, Double powerW, Double capacityW) {}

    /** A cooling device's newest reading (CDU, rack cooler, in-rack air sensor). */
    public record CoolingReading(String cluster, String row, String rack, String source, String device,
                                 java.time.Instant ts, Double supplyC, Double returnC, Double flowLpm, Boolean leak,
                                 Double inletAirC, List<String> servesRacks) {}

    /** A job's owner as its scheduler announced it. */
    public record JobOwner(String cluster, String jobId, String name, String team, String account) {}

    /** Every power device's newest reading within {@code window} of now, by row, rack and device. */
    public List<PowerReading> latestPower(Duration window) throws SQLException {
        String sql = "SELECT DISTINCT ON (cluster, device) cluster, row_name, rack, source, device, ts, power_w, "
                + "capacity_w FROM power_sample WHERE ts > now() - make_interval(secs => ?) "
                + "ORDER BY cluster, device, ts DESC";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setDouble(1, window.toMillis() / 1000.0);
            List<PowerReading> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new PowerReading(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getTimestamp(6).toInstant(), dbl(rs, 7), dbl(rs, 8)));
                }
            }
            out.sort(java.util.Comparator.comparing((PowerReading r) -> String.valueOf(r.row()))
                    .thenComparing(r -> String.valueOf(r.rack())).thenComparing(PowerReading::device));
            return out;
        }
    }

    /** Every cooling device's newest reading within {@code window} of now, by row, rack and device. */
    public List<CoolingReading> latestCooling(Duration window) throws SQLException {
        String sql = "SELECT DISTINCT ON (cluster, device) cluster, row_name, rack, source, device, ts, supply_temp_c, "
                + "return_temp_c, flow_lpm, leak_detected, inlet_air_temp_c, serves_racks FROM cooling_sample "
                + "WHERE ts > now() - make_interval(secs => ?) ORDER BY cluster, device, ts DESC";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setDouble(1, window.toMillis() / 1000.0);
            List<CoolingReading> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    java.sql.Array racks = rs.getArray(12);
                    List<String> serves = racks == null ? List.of() : List.of((String[]) racks.getArray());
                    Boolean leak = (Boolean) rs.getObject(10);
                    out.add(new CoolingReading(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getTimestamp(6).toInstant(), dbl(rs, 7), dbl(rs, 8), dbl(rs, 9),
                            leak, dbl(rs, 11), serves));
                }
            }
            out.sort(java.util.Comparator.comparing((CoolingReading r) -> String.valueOf(r.row()))
                    .thenComparing(r -> String.valueOf(r.rack())).thenComparing(CoolingReading::device));
            return out;
        }
    }

    /** Owners of the jobs announced and not ended. */
    public List<JobOwner> jobOwners() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT cluster, job_id, name, team, account FROM vigil_job_owner")) {
            List<JobOwner> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new JobOwner(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5)));
                }
            }
            return out;
        }
    }

    private static List<GpuStatus> gpuStatuses(PreparedStatement ps) throws SQLException {
        List<GpuStatus> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new GpuStatus(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getInt(5), rs.getTimestamp(6).toInstant(), dbl(rs, 7), dbl(rs, 8), dbl(rs, 9),
                        dbl(rs, 10), dbl(rs, 11), lng(rs, 12), rs.getString(13), integer(rs, 14)));
            }
        }
        return out;
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
