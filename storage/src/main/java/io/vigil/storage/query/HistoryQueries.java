package io.vigil.storage.query;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The history a capacity team asks for, read from the raw rows and the writer's rollups. Parameterised SQL only:
 * names that vary (a metric, a resolution) are chosen from fixed sets, never pasted from input. Each query runs
 * with a statement timeout, so one expensive question cannot hold the database.
 */
public final class HistoryQueries {

    /** Resolutions: the raw samples, or the per-minute and per-hour rollups. */
    public enum Resolution { RAW, MINUTE, HOUR }

    /** GPU metrics by name, each with its raw column and its rollup view column. */
    public static final Map<String, String[]> GPU_METRICS = Map.of(
            "temp_mean_c", new String[] {"gpu_temp_c", "temp_mean_c"},
            "temp_max_c", new String[] {"gpu_temp_c", "temp_max_c"},
            "power_mean_w", new String[] {"power_w", "power_mean_w"},
            "power_max_w", new String[] {"power_w", "power_max_w"},
            "util_mean_pct", new String[] {"gpu_util_pct", "util_mean_pct"},
            "sm_active_mean_pct", new String[] {"sm_active_pct", "sm_active_mean_pct"},
            "tensor_active_mean_pct", new String[] {"tensor_active_pct", "tensor_active_mean_pct"},
            "sm_clock_mhz", new String[] {"sm_clock_mhz", null});

    /** Grouping for GPU-hours and energy. */
    public static final Set<String> OWNER_GROUPS = Set.of("job", "team", "account");

    private final DataSource dataSource;
    private final Duration statementTimeout;

    public HistoryQueries(DataSource dataSource, Duration statementTimeout) {
        this.dataSource = dataSource;
        this.statementTimeout = statementTimeout;
    }

    /** The resolution a range gets when none is asked for: raw up to 2 hours, minutes up to 7 days, then hours. */
    public static Resolution resolutionFor(Instant from, Instant to) {
        Duration range = Duration.between(from, to);
        if (range.compareTo(Duration.ofHours(2)) <= 0) return Resolution.RAW;
        if (range.compareTo(Duration.ofDays(7)) <= 0) return Resolution.MINUTE;
        return Resolution.HOUR;
    }

    /** One GPU's metric over a range: points of {@code time} and {@code value}, oldest first, at most {@code limit}. */
    public List<Map<String, Object>> gpuSeries(String cluster, String host, int gpu, String metric, Instant from,
                                               Instant to, Resolution resolution, int limit) throws SQLException {
        String[] columns = GPU_METRICS.get(metric);
        if (columns == null) throw new IllegalArgumentException("unknown metric " + metric);
        String sql;
        if (resolution == Resolution.RAW || columns[1] == null) {
            sql = "SELECT ts AS time, " + columns[0] + " AS value FROM gpu_sample WHERE cluster = ? AND host = ? "
                    + "AND gpu = ? AND mig_instance IS NULL AND ts >= ? AND ts < ? ORDER BY ts LIMIT ?";
        } else {
            String view = resolution == Resolution.MINUTE ? "vigil_gpu_1m" : "vigil_gpu_1h";
            sql = "SELECT time, " + columns[1] + " AS value FROM " + view + " WHERE cluster = ? AND host = ? "
                    + "AND gpu = ? AND time >= ? AND time < ? ORDER BY time LIMIT ?";
        }
        return query(sql, cluster, host, gpu, ts(from), ts(to), limit);
    }

    /**
     * The median of a GPU metric over a job's GPUs, per second of raw samples: the cohort a straggler is judged
     * against. Points of {@code time} and {@code value}, oldest first.
     */
    public List<Map<String, Object>> jobMedianSeries(String cluster, String job, String metric, Instant from,
                                                     Instant to, int limit) throws SQLException {
        String[] columns = GPU_METRICS.get(metric);
        if (columns == null) throw new IllegalArgumentException("unknown metric " + metric);
        String sql = "SELECT date_trunc('second', ts) AS time, percentile_cont(0.5) WITHIN GROUP (ORDER BY "
                + columns[0] + ") AS value FROM gpu_sample WHERE cluster = ? AND job_id = ? AND mig_instance IS NULL "
                + "AND ts >= ? AND ts < ? GROUP BY 1 ORDER BY 1 LIMIT ?";
        return query(sql, cluster, job, ts(from), ts(to), limit);
    }

    /** How a resolution is named in answers and in the API. */
    public static String label(Resolution r) {
        return switch (r) {
            case RAW -> "raw";
            case MINUTE -> "1m";
            case HOUR -> "1h";
        };
    }

    /**
     * Where one entity's series live: the rollup views (per minute, per hour) and, for devices, the raw table; the
     * column naming the entity; and per metric the column or expression at each resolution (null where that
     * resolution has none) and how rows at the same time combine (a team's jobs, rows of the same name).
     */
    public record Entity(String raw, String minute, String hour, String key, Map<String, Metric> metrics) {}

    public record Metric(String raw, String minute, String hour, String combine) {}

    private static Metric m(String raw, String minute, String hour, String combine) {
        return new Metric(raw, minute, hour, combine);
    }

    /** Entities other than a single GPU ({@link #gpuSeries}), with their metrics. */
    public static final Map<String, Entity> ENTITIES = Map.of(
            "host", new Entity(null, "vigil_host_1m", "vigil_host_1h", "host", Map.of(
                    "gpu_power_w", m(null, "gpu_power_w", "gpu_power_w", "sum"),
                    "gpu_temp_max_c", m(null, "gpu_temp_max_c", "gpu_temp_max_c", "max"),
                    "gpu_util_mean_pct", m(null, "gpu_util_mean_pct", "gpu_util_mean_pct", "avg"))),
            "rack", new Entity(null, "vigil_rack_1m", "vigil_rack_1h", "rack", Map.of(
                    "pdu_power_w", m(null, "pdu_power_w", "pdu_power_mean_w", "sum"),
                    "pdu_power_peak_w", m(null, "pdu_power_w", "pdu_power_peak_w", "sum"),
                    "pdu_capacity_w", m(null, "pdu_capacity_w", "pdu_capacity_w", "sum"),
                    "gpu_power_w", m(null, "gpu_power_w", "gpu_power_mean_w", "sum"),
                    "gpu_temp_max_c", m(null, "gpu_temp_max_c", "gpu_temp_max_c", "max"),
                    "gpu_util_mean_pct", m(null, "gpu_util_mean_pct", "gpu_util_mean_pct", "avg"))),
            "row", new Entity(null, "vigil_row_1m", "vigil_row_1h", "row_name", Map.of(
                    "pdu_power_w", m(null, "pdu_power_w", "pdu_power_mean_w", "sum"),
                    "pdu_capacity_w", m(null, "pdu_capacity_w", "pdu_capacity_w", "sum"),
                    "gpu_power_w", m(null, "gpu_power_w", "gpu_power_mean_w", "sum"))),
            "cluster", new Entity(null, "vigil_cluster_1m", "vigil_cluster_1h", "cluster", Map.of(
                    "pdu_power_w", m(null, "pdu_power_w", "pdu_power_mean_w", "sum"),
                    "pdu_capacity_w", m(null, "pdu_capacity_w", "pdu_capacity_w", "sum"),
                    "gpu_power_w", m(null, "gpu_power_w", "gpu_power_mean_w", "sum"))),
            "pdu", new Entity("power_sample", "vigil_pdu_1m", "vigil_pdu_1h", "device", Map.of(
                    "power_mean_w", m("power_w", "power_mean_w", "power_mean_w", "sum"),
                    "power_max_w", m("power_w", "power_max_w", "power_max_w", "sum"),
                    "capacity_w", m("capacity_w", "capacity_w", "capacity_w", "sum"))),
            "cdu", new Entity("cooling_sample", "vigil_cdu_1m", "vigil_cdu_1h", "device", Map.of(
                    "supply_mean_c", m("supply_temp_c", "supply_mean_c", "supply_mean_c", "avg"),
                    "return_mean_c", m("return_temp_c", "return_mean_c", "return_mean_c", "avg"),
                    "delta_t_mean_c", m("return_temp_c - supply_temp_c", "delta_t_mean_c", "delta_t_mean_c", "avg"),
                    "flow_mean_lpm", m("flow_lpm", "flow_mean_lpm", "flow_mean_lpm", "sum"),
                    "heat_mean_kw", m("flow_lpm / 60.0 * 4.18 * (return_temp_c - supply_temp_c)", "heat_mean_kw",
                            "heat_mean_kw", "sum"))),
            "job", new Entity(null, "vigil_job_1m", "vigil_job_1h", "job_id", Map.of(
                    "gpus", m(null, "gpus", "gpus_max", "sum"),
                    "energy_kwh", m(null, "energy_kwh", "energy_kwh", "sum"),
                    "util_mean_pct", m(null, "util_mean_pct", "util_mean_pct", "avg"))),
            "team", new Entity(null, "vigil_job_1m", "vigil_job_1h", "team", Map.of(
                    "gpus", m(null, "gpus", "gpus_max", "sum"),
                    "energy_kwh", m(null, "energy_kwh", "energy_kwh", "sum"),
                    "util_mean_pct", m(null, "util_mean_pct", "util_mean_pct", "avg"))));

    /**
     * One entity's metric over a range: points of {@code time} and {@code value}, oldest first, at most
     * {@code limit}. Raw readings exist for PDUs and CDUs only; other entities are sums over GPUs or devices, so
     * {@code RAW} reads their per-minute rollups. {@code cluster} null matches every cluster.
     */
    public List<Map<String, Object>> entitySeries(String entity, String cluster, String id, String metric,
                                                  Instant from, Instant to, Resolution resolution, int limit)
            throws SQLException {
        Entity e = ENTITIES.get(entity);
        if (e == null) throw new IllegalArgumentException("entity must be gpu or one of " + new java.util.TreeSet<>(ENTITIES.keySet()));
        Metric mt = e.metrics().get(metric);
        if (mt == null) {
            throw new IllegalArgumentException("metric for " + entity + " must be one of "
                    + new java.util.TreeSet<>(e.metrics().keySet()));
        }
        String sql;
        if (resolution == Resolution.RAW && e.raw() != null) {
            sql = "SELECT ts AS time, " + mt.combine() + "(" + mt.raw() + ") AS value FROM " + e.raw() + " WHERE "
                    + e.key() + " = ? AND (?::text IS NULL OR cluster = ?) AND ts >= ? AND ts < ? "
                    + "GROUP BY ts ORDER BY ts LIMIT ?";
        } else {
            String view = resolution == Resolution.HOUR ? e.hour() : e.minute();
            String column = resolution == Resolution.HOUR ? mt.hour() : mt.minute();
            sql = "SELECT time, " + mt.combine() + "(" + column + ") AS value FROM " + view + " WHERE " + e.key()
                    + " = ? AND (?::text IS NULL OR cluster = ?) AND time >= ? AND time < ? "
                    + "GROUP BY time ORDER BY time LIMIT ?";
        }
        return query(sql, id, cluster, cluster, ts(from), ts(to), limit);
    }

    /**
     * Power headroom per rack (or per row): peak, p95, p99 and mean of each rack's load over the range against its
     * capacity. A rack's load is what feeds it, by the best source it has in the range: its rack PDUs
     * ({@code source: pdu}), else its power shelves ({@code power_shelf}, an NVL rack's bus bar), else its hosts'
     * input power ({@code host_psu}), else its GPUs' power ({@code gpu}, a lower bound with no capacity): a rack
     * without a PDU collector is not left out, and the {@code source} column says which it is (a row lists its
     * racks' sources). The points are the resolution's: per second at {@code RAW} (the readings summed per
     * second), the minute means at {@code MINUTE}, the hour means at {@code HOUR} (where a PDU rack's peak is still
     * the highest minute mean, a shelf's or host's the highest sample, and a row's peak is the sum of its racks'
     * peaks, an upper bound).
     */
    public List<Map<String, Object>> powerHeadroom(String cluster, boolean byRow, Instant from, Instant to,
                                                   Resolution resolution) throws SQLException {
        String prio = "CASE source WHEN 'RACK_PDU' THEN 1 WHEN 'POWER_SHELF' THEN 2 ELSE 3 END";
        String where = " AND (?::text IS NULL OR cluster = ?)";
        String sources = switch (resolution) {
            case RAW -> "SELECT cluster, row_name, COALESCE(rack, '') AS rack, " + prio + " AS prio, "
                    + "date_trunc('second', ts) AS t, sum(power_w) AS p, sum(power_w) AS peak, sum(capacity_w) AS cap "
                    + "FROM power_sample WHERE source IN ('RACK_PDU', 'POWER_SHELF', 'HOST_PSU') AND ts >= ? AND ts < ?"
                    + where + " GROUP BY 1, 2, 3, 4, 5 UNION ALL "
                    + "SELECT cluster, row_name, COALESCE(rack, '') AS rack, 4, date_trunc('second', ts), sum(power_w), "
                    + "sum(power_w), NULL::double precision FROM gpu_sample WHERE power_w IS NOT NULL AND ts >= ? "
                    + "AND ts < ?" + where + " GROUP BY 1, 2, 3, 4, 5";
            case MINUTE -> "SELECT cluster, row_name, rack, 1 AS prio, bucket AS t, pdu_power_w AS p, pdu_power_w AS peak, "
                    + "pdu_capacity_w AS cap FROM rack_power_1m WHERE pdus > 0 AND bucket >= ? AND bucket < ?" + where
                    + " UNION ALL SELECT cluster, row_name, COALESCE(rack, '') AS rack, " + prio + ", bucket, "
                    + "sum(power_sum / NULLIF(power_n, 0)), sum(power_sum / NULLIF(power_n, 0)), sum(capacity_max) "
                    + "FROM power_rollup_1m WHERE source IN ('POWER_SHELF', 'HOST_PSU') AND bucket >= ? AND bucket < ?"
                    + where + " GROUP BY 1, 2, 3, 4, 5 UNION ALL "
                    + "SELECT cluster, row_name, rack, 4, bucket, gpu_power_w, gpu_power_w, NULL::double precision "
                    + "FROM rack_power_1m WHERE gpus > 0 AND gpu_power_w IS NOT NULL AND bucket >= ? AND bucket < ?"
                    + where;
            case HOUR -> "SELECT cluster, row_name, rack, 1 AS prio, bucket AS t, pdu_power_mean_w AS p, "
                    + "pdu_power_peak_w AS peak, pdu_capacity_w AS cap FROM rack_power_1h "
                    + "WHERE pdu_power_mean_w IS NOT NULL AND bucket >= ? AND bucket < ?" + where
                    + " UNION ALL SELECT cluster, row_name, COALESCE(rack, '') AS rack, " + prio + ", bucket, "
                    + "sum(power_sum / NULLIF(power_n, 0)), sum(power_max), sum(capacity_max) "
                    + "FROM power_rollup_1h WHERE source IN ('POWER_SHELF', 'HOST_PSU') AND bucket >= ? AND bucket < ?"
                    + where + " GROUP BY 1, 2, 3, 4, 5 UNION ALL "
                    + "SELECT cluster, row_name, rack, 4, bucket, gpu_power_mean_w, gpu_power_peak_w, "
                    + "NULL::double precision FROM rack_power_1h WHERE gpu_power_mean_w IS NOT NULL AND bucket >= ? "
                    + "AND bucket < ?" + where;
        };
        String group = byRow ? "cluster, row_name" : "cluster, row_name, rack";
        String sql = "WITH sources AS (" + sources + "), "
                // Each rack's best source over the whole range, so its points do not switch source mid-range.
                + "best AS (SELECT cluster, row_name, rack, min(prio) AS prio FROM sources GROUP BY 1, 2, 3), "
                + "rack_points AS (SELECT s.* FROM sources s JOIN best b ON b.cluster = s.cluster AND b.rack = s.rack "
                + "AND b.row_name IS NOT DISTINCT FROM s.row_name AND b.prio = s.prio), "
                + "points AS (SELECT " + group + ", t, sum(p) AS p, sum(peak) AS peak, sum(cap) AS cap, "
                + "string_agg(DISTINCT CASE prio WHEN 1 THEN 'pdu' WHEN 2 THEN 'power_shelf' WHEN 3 THEN 'host_psu' "
                + "ELSE 'gpu' END, ',') AS source FROM rack_points GROUP BY " + group + ", t) "
                + "SELECT " + group + ", round(max(peak)::numeric, 1) AS peak_w, "
                + "round(percentile_cont(0.95) WITHIN GROUP (ORDER BY p)::numeric, 1) AS p95_w, "
                + "round(percentile_cont(0.99) WITHIN GROUP (ORDER BY p)::numeric, 1) AS p99_w, "
                + "round(avg(p)::numeric, 1) AS mean_w, round(max(cap)::numeric, 1) AS capacity_w, "
                + "round((max(cap) - max(peak))::numeric, 1) AS headroom_w, "
                + "round((100 * max(peak) / NULLIF(max(cap), 0))::numeric, 1) AS peak_pct_of_capacity, "
                + "count(*) AS points, max(source) AS source, ?::text AS resolution FROM points GROUP BY " + group
                + " ORDER BY " + group;
        Object[] range = {ts(from), ts(to), cluster, cluster};
        List<Object> args = new java.util.ArrayList<>();
        int parts = resolution == Resolution.RAW ? 2 : 3;
        for (int i = 0; i < parts; i++) args.addAll(java.util.Arrays.asList(range));
        args.add(label(resolution));
        return query(sql, args.toArray());
    }

    /**
     * Cooling headroom per CDU: supply and return temperature, flow and the heat it removed (kW, from flow and ΔT
     * with water's heat capacity), mean and peak over the range. The rollups keep sums and extremes, so the minute
     * and hour answers equal the raw one over the same whole minutes or hours.
     */
    public List<Map<String, Object>> coolingHeadroom(String cluster, Instant from, Instant to, Resolution resolution)
            throws SQLException {
        if (resolution == Resolution.RAW) {
            String sql = "SELECT cluster, device, round(avg(supply_temp_c)::numeric, 1) AS supply_mean_c, "
                    + "round(max(supply_temp_c)::numeric, 1) AS supply_max_c, round(avg(return_temp_c)::numeric, 1) AS return_mean_c, "
                    + "round(avg(return_temp_c - supply_temp_c)::numeric, 2) AS delta_t_mean_c, "
                    + "round(avg(flow_lpm)::numeric, 1) AS flow_mean_lpm, round(min(flow_lpm)::numeric, 1) AS flow_min_lpm, "
                    // kW = L/min / 60 × 4.18 kJ/(kg·K) × ΔT, water at about 1 kg/L
                    + "round(avg(flow_lpm / 60.0 * 4.18 * (return_temp_c - supply_temp_c))::numeric, 1) AS heat_mean_kw, "
                    + "round(max(flow_lpm / 60.0 * 4.18 * (return_temp_c - supply_temp_c))::numeric, 1) AS heat_peak_kw, "
                    + "count(*) AS samples, 'raw' AS resolution FROM cooling_sample WHERE source = 'CDU' AND ts >= ? "
                    + "AND ts < ? AND (?::text IS NULL OR cluster = ?) GROUP BY cluster, device ORDER BY cluster, device";
            return query(sql, ts(from), ts(to), cluster, cluster);
        }
        String table = resolution == Resolution.MINUTE ? "cooling_rollup_1m" : "cooling_rollup_1h";
        String sql = "SELECT cluster, device, round((sum(supply_sum) / NULLIF(sum(supply_n), 0))::numeric, 1) AS supply_mean_c, "
                + "round(max(supply_max)::numeric, 1) AS supply_max_c, "
                + "round((sum(return_sum) / NULLIF(sum(return_n), 0))::numeric, 1) AS return_mean_c, "
                + "round((sum(delta_t_sum) / NULLIF(sum(delta_t_n), 0))::numeric, 2) AS delta_t_mean_c, "
                + "round((sum(flow_sum) / NULLIF(sum(flow_n), 0))::numeric, 1) AS flow_mean_lpm, "
                + "round(min(flow_min)::numeric, 1) AS flow_min_lpm, "
                + "round((sum(heat_kw_sum) / NULLIF(sum(heat_kw_n), 0))::numeric, 1) AS heat_mean_kw, "
                + "round(max(heat_kw_max)::numeric, 1) AS heat_peak_kw, sum(samples) AS samples, ?::text AS resolution "
                + "FROM " + table + " WHERE source = 'CDU' AND bucket >= ? AND bucket < ? "
                + "AND (?::text IS NULL OR cluster = ?) GROUP BY cluster, device ORDER BY cluster, device";
        return query(sql, label(resolution), ts(from), ts(to), cluster, cluster);
    }

    /**
     * GPU-hours, energy and utilisation per job, team or account over a range, from the per-job rollups (per-minute,
     * or per-hour at {@code HOUR}; {@code RAW} reads the minutes): a GPU counts one minute for every minute in which
     * it reported for the job; energy is mean power × 60 s per minute; idle-allocated hours are minutes a job held a
     * GPU that averaged under 5 % utilisation. Straggler and stall minutes are the minutes of the range in which a
     * STRAGGLER or SYNC_STALL alert about the job was firing. Owners are the job's latest START or RESIZE event.
     */
    public List<Map<String, Object>> gpuHours(String by, Instant from, Instant to, Resolution resolution)
            throws SQLException {
        if (!OWNER_GROUPS.contains(by)) throw new IllegalArgumentException("by must be job, team or account");
        String key = switch (by) {
            case "team" -> "COALESCE(o.team, '')";
            case "account" -> "COALESCE(o.account, '')";
            default -> "u.cluster || '/' || u.job_id";
        };
        String usage = resolution == Resolution.HOUR
                ? "SELECT cluster, job_id, sum(gpu_minutes) AS gpu_minutes, sum(energy_j) AS energy_j, "
                        + "sum(util_sum) AS util_sum, sum(util_n) AS util_n, sum(idle_gpu_minutes) AS idle_minutes "
                        + "FROM job_rollup_1h WHERE bucket >= ? AND bucket < ? GROUP BY cluster, job_id"
                : "SELECT cluster, job_id, sum(gpus) AS gpu_minutes, sum(energy_j) AS energy_j, "
                        + "sum(util_sum) AS util_sum, sum(util_n) AS util_n, sum(idle_gpus) AS idle_minutes "
                        + "FROM job_rollup_1m WHERE bucket >= ? AND bucket < ? GROUP BY cluster, job_id";
        String sql = "WITH usage AS (" + usage + "), "
                + "alert_minutes AS (SELECT a.labels->>'cluster' AS cluster, a.labels->>'job' AS job_id, "
                + "count(DISTINCT m) FILTER (WHERE a.type = 'STRAGGLER') AS straggler, "
                + "count(DISTINCT m) FILTER (WHERE a.type = 'SYNC_STALL') AS stall FROM alert a "
                + "CROSS JOIN LATERAL generate_series(date_trunc('minute', greatest(a.starts_at, ?::timestamptz)), "
                + "least(COALESCE(a.ends_at, now()), ?::timestamptz) - interval '1 millisecond', interval '1 minute') m "
                + "WHERE a.type IN ('STRAGGLER', 'SYNC_STALL') AND a.labels->>'job' IS NOT NULL AND a.starts_at < ? "
                + "AND COALESCE(a.ends_at, 'infinity') > ? GROUP BY 1, 2) "
                + "SELECT " + key + " AS " + by + ", count(*) AS jobs, "
                + "round((sum(u.gpu_minutes) / 60.0)::numeric, 3) AS gpu_hours, "
                + "round((sum(u.energy_j) / 3.6e6)::numeric, 3) AS energy_kwh, "
                + "round((sum(u.util_sum) / NULLIF(sum(u.util_n), 0))::numeric, 1) AS util_mean_pct, "
                + "round((sum(u.idle_minutes) / 60.0)::numeric, 3) AS idle_gpu_hours, "
                + "COALESCE(sum(am.straggler), 0)::bigint AS straggler_minutes, "
                + "COALESCE(sum(am.stall), 0)::bigint AS stall_minutes, "
                + "?::text AS resolution "
                + "FROM usage u LEFT JOIN vigil_job_owner o ON o.cluster = u.cluster AND o.job_id = u.job_id "
                + "LEFT JOIN alert_minutes am ON am.cluster = u.cluster AND am.job_id = u.job_id "
                + "GROUP BY 1 ORDER BY gpu_hours DESC, 1";
        return query(sql, ts(from), ts(to), ts(from), ts(to), ts(to), ts(from),
                label(resolution == Resolution.RAW ? Resolution.MINUTE : resolution));
    }

    /**
     * Per rack, the trend of its daily peak power (the highest minute mean of the day, from {@code rack_power_1h}, so
     * it reaches as far back as the hourly rollups; least squares over the days of the range with readings) and when
     * it crosses {@code fraction} of its PDU capacity: {@code crossesAt} null when the trend is flat or falling,
     * {@code alreadyAbove} when the latest day's peak is over it. Needs at least 3 days of readings per rack.
     */
    public List<Map<String, Object>> powerForecast(String cluster, Instant from, Instant to, double fraction)
            throws SQLException {
        String sql = "WITH daily AS (SELECT cluster, max(row_name) AS row_name, rack, "
                + "date_trunc('day', bucket, 'UTC') AS day, max(pdu_power_peak_w) AS peak, max(pdu_capacity_w) AS cap "
                + "FROM rack_power_1h WHERE pdu_power_peak_w IS NOT NULL AND bucket >= ? AND bucket < ? "
                + "AND (?::text IS NULL OR cluster = ?) GROUP BY cluster, rack, day), "
                + "fit AS (SELECT cluster, row_name, rack, count(*) AS days, max(cap) AS cap, "
                + "regr_slope(peak, EXTRACT(EPOCH FROM day) / 86400) AS slope, "
                + "regr_intercept(peak, EXTRACT(EPOCH FROM day) / 86400) AS intercept, "
                + "(array_agg(peak ORDER BY day DESC))[1] AS last_peak, max(day) AS last_day "
                + "FROM daily GROUP BY 1, 2, 3 HAVING count(*) >= 3) "
                + "SELECT cluster, row_name, rack, days, round(cap::numeric, 1) AS capacity_w, "
                + "round(last_peak::numeric, 1) AS last_daily_peak_w, round(slope::numeric, 1) AS trend_w_per_day, "
                + "round((? * cap)::numeric, 1) AS threshold_w, last_peak >= ? * cap AS already_above, "
                + "CASE WHEN slope > 0 AND last_peak < ? * cap THEN "
                + "to_timestamp(((? * cap - intercept) / slope) * 86400) END AS crosses_at "
                + "FROM fit ORDER BY crosses_at NULLS LAST, cluster, row_name, rack";
        return query(sql, ts(from), ts(to), cluster, cluster, fraction, fraction, fraction, fraction);
    }

    /** The hottest GPUs over a range by their peak temperature, from the per-minute rollups. */
    public List<Map<String, Object>> hottestGpus(Instant from, Instant to, int n) throws SQLException {
        String sql = "SELECT cluster, rack, host, gpu, round(max(temp_max)::numeric, 1) AS temp_max_c, "
                + "round((sum(temp_sum) / NULLIF(sum(temp_n), 0))::numeric, 1) AS temp_mean_c, "
                + "sum(throttled_thermal) AS throttled_thermal_samples FROM gpu_rollup_1m "
                + "WHERE bucket >= ? AND bucket < ? GROUP BY cluster, rack, host, gpu "
                + "ORDER BY max(temp_max) DESC NULLS LAST, cluster, host, gpu LIMIT ?";
        return query(sql, ts(from), ts(to), n);
    }

    private List<Map<String, Object>> query(String sql, Object... params) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    st.execute("SET LOCAL statement_timeout = " + Math.max(1, statementTimeout.toMillis()));
                }
                List<Map<String, Object>> out = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
                    try (ResultSet rs = ps.executeQuery()) {
                        ResultSetMetaData md = rs.getMetaData();
                        while (rs.next()) {
                            Map<String, Object> row = new LinkedHashMap<>();
                            for (int i = 1; i <= md.getColumnCount(); i++) {
                                Object v = rs.getObject(i);
                                if (v instanceof Timestamp t) v = t.toInstant();
                                if (v instanceof java.math.BigDecimal d) v = d.doubleValue();
                                row.put(camel(md.getColumnLabel(i)), v);
                            }
                            out.add(row);
                        }
                    }
                }
                c.commit();
                return out;
            } finally {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // committed already, or the connection is gone
                }
                c.setAutoCommit(auto);
            }
        }
    }

    /** {@code peak_pct_of_capacity} → {@code peakPctOfCapacity}; {@code row_name} → {@code row}. */
    static String camel(String column) {
        if (column.equals("row_name")) return "row";
        StringBuilder b = new StringBuilder();
        boolean up = false;
        for (char ch : column.toCharArray()) {
            if (ch == '_') {
                up = true;
            } else {
                b.append(up ? Character.toUpperCase(ch) : ch);
                up = false;
            }
        }
        return b.toString();
    }

    private static Timestamp ts(Instant i) {
        return Timestamp.from(i);
    }
}
