package io.vigil.storage.retention;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the history within its retention, run by the writer at start and every {@link RetentionConfig#interval()}.
 * On plain PostgreSQL: day partitions of the raw sample tables are made ahead and dropped once their whole day is
 * older than the raw retention (a DEFAULT partition's expired rows are deleted); rollup rows older than their
 * retention are deleted. On TimescaleDB: the same retention as TimescaleDB policies on the hypertables
 * ({@code add_retention_policy}, replaced only when the setting changes), plus compression of raw chunks older than a
 * day, segmented by entity — TimescaleDB's own jobs then do the work. Time is given, so tests drive it.
 *
 * <p>Several writers share a database (the Kubernetes manifest runs two): a run takes a session advisory lock and is
 * skipped while another writer's run holds it, and each step is idempotent — a policy that exists with the configured
 * interval is left as it is (its job id and history with it), one left twice by an older Vigil is removed once.
 */
public final class RetentionMaintainer {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionMaintainer.class);

    public static final List<String> RAW_TABLES = List.of("gpu_sample", "power_sample", "cooling_sample");
    /** Rollup tables, deleted by row past the per-minute ({@code _1m}) or per-hour ({@code _1h}) retention. */
    public static final List<String> ROLLUP_TABLES = List.of("gpu_rollup_1m", "gpu_rollup_1h", "power_rollup_1m",
            "power_rollup_1h", "cooling_rollup_1m", "cooling_rollup_1h", "rack_power_1m", "rack_power_1h",
            "job_rollup_1m", "job_rollup_1h");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");

    /** Any constant, other than the rollup refresher's: one maintenance run at a time across all writers. */
    private static final long LOCK = 0x5649474C_0012L;

    /**
     * What one run did.
     *
     * @param skipped another writer's run held the lock, so this one did nothing
     */
    public record Result(int partitionsCreated, List<String> partitionsDropped, long rowsDeleted, boolean timescale,
                         boolean skipped) {}

    private final RetentionConfig config;

    public RetentionMaintainer(RetentionConfig config) {
        this.config = config;
    }

    public Result run(Connection c, Instant now) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try {
            if (!lock(c, "pg_try_advisory_lock")) {
                LOG.debug("Retention: another writer is running it; skipped");
                return new Result(0, List.of(), 0, false, true);
            }
            try {
                return maintain(c, now);
            } finally {
                try {
                    lock(c, "pg_advisory_unlock");
                } catch (SQLException lost) {
                    // the connection is gone, and the session's lock with it
                }
            }
        } finally {
            c.setAutoCommit(auto);
        }
    }

    private static boolean lock(Connection c, String function) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT " + function + "(" + LOCK + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private Result maintain(Connection c, Instant now) throws SQLException {
        if (timescale(c)) {
            applyTimescalePolicies(c);
            long deleted = deleteRollups(c, now) + deleteLatest(c, now.minus(config.raw()));
            return new Result(0, List.of(), deleted, true, false);
        }
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        int created = 0;
        List<String> dropped = new ArrayList<>();
        long deleted = 0;
        Instant rawCutoff = now.minus(config.raw());
        for (String table : RAW_TABLES) {
            try (PreparedStatement ps = c.prepareStatement("SELECT vigil_ensure_day_partitions(?, ?, ?)")) {
                ps.setString(1, table);
                ps.setObject(2, today.minusDays(1));
                ps.setObject(3, today.plusDays(config.daysAhead()));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    created += rs.getInt(1);
                }
            }
            for (String partition : dayPartitions(c, table)) {
                LocalDate day = LocalDate.parse(partition.substring(partition.length() - 8), DAY);
                Instant end = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
                if (!end.isAfter(rawCutoff)) {
                    try (Statement st = c.createStatement()) {
                        st.execute("DROP TABLE " + quote(partition));
                    }
                    dropped.add(partition);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + quote(table + "_default") + " WHERE ts < ?")) {
                ps.setTimestamp(1, Timestamp.from(rawCutoff));
                deleted += ps.executeUpdate();
            }
        }
        deleted += deleteRollups(c, now);
        deleted += deleteLatest(c, rawCutoff);
        if (created > 0 || !dropped.isEmpty() || deleted > 0) {
            LOG.info("Retention: {} partition(s) made ahead, {} dropped {}, {} expired row(s) deleted", created,
                    dropped.size(), dropped, deleted);
        }
        return new Result(created, dropped, deleted, false, false);
    }

    private long deleteRollups(Connection c, Instant now) throws SQLException {
        long deleted = 0;
        for (String table : ROLLUP_TABLES) {
            Instant cutoff = now.minus(table.endsWith("_1m") ? config.minute() : config.hour());
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE bucket < ?")) {
                ps.setTimestamp(1, Timestamp.from(cutoff));
                deleted += ps.executeUpdate();
            }
        }
        return deleted;
    }

    /** A GPU's latest row once its newest sample is older than the raw retention (a GPU taken out of service). */
    private static long deleteLatest(Connection c, Instant rawCutoff) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM gpu_latest WHERE ts < ?")) {
            ps.setTimestamp(1, Timestamp.from(rawCutoff));
            return ps.executeUpdate();
        }
    }

    /** The table's day partitions ({@code <table>_pYYYYMMDD}), oldest first. */
    static List<String> dayPartitions(Connection c, String table) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT child.relname FROM pg_inherits i "
                + "JOIN pg_class parent ON parent.oid = i.inhparent JOIN pg_class child ON child.oid = i.inhrelid "
                + "WHERE parent.relname = ? AND child.relname ~ ('^' || ? || '_p[0-9]{8}$') ORDER BY child.relname")) {
            ps.setString(1, table);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }

    static boolean timescale(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")) {
            return rs.next();
        }
    }

    /**
     * TimescaleDB 2.x's documented API (no feature newer than 2.17), idempotent: compression is switched on once,
     * the compression policy added if missing, the retention policy added if missing and replaced only when its
     * interval differs from the setting; extra retention jobs (left by two writers racing before the lock) go.
     */
    private void applyTimescalePolicies(Connection c) throws SQLException {
        for (String table : RAW_TABLES) {
            String segment = table.equals("gpu_sample") ? "cluster, host, gpu" : "cluster, device";
            boolean compressed;
            try (PreparedStatement ps = c.prepareStatement("SELECT compression_enabled FROM "
                    + "timescaledb_information.hypertables WHERE hypertable_schema = current_schema() "
                    + "AND hypertable_name = ?")) {
                ps.setString(1, table);
                try (ResultSet rs = ps.executeQuery()) {
                    compressed = rs.next() && rs.getBoolean(1);
                }
            }
            try (Statement st = c.createStatement()) {
                if (!compressed) {
                    st.execute("ALTER TABLE " + table + " SET (timescaledb.compress, timescaledb.compress_segmentby = '"
                            + segment + "', timescaledb.compress_orderby = 'ts DESC')");
                }
                st.execute("SELECT add_compression_policy('" + table + "', INTERVAL '1 day', if_not_exists => true)");
            }
            List<long[]> jobs = new ArrayList<>(); // job id, 1 if its interval is the configured one
            try (PreparedStatement ps = c.prepareStatement("SELECT job_id, (config->>'drop_after')::interval "
                    + "= make_interval(secs => ?) FROM timescaledb_information.jobs WHERE proc_name = "
                    + "'policy_retention' AND hypertable_schema = current_schema() AND hypertable_name = ? "
                    + "ORDER BY job_id")) {
                ps.setLong(1, config.raw().toSeconds());
                ps.setString(2, table);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) jobs.add(new long[] {rs.getLong(1), rs.getBoolean(2) ? 1 : 0});
                }
            }
            for (int i = 1; i < jobs.size(); i++) {
                try (Statement st = c.createStatement()) {
                    st.execute("SELECT delete_job(" + jobs.get(i)[0] + ")");
                }
                LOG.info("Retention: removed the extra retention job {} of {}", jobs.get(i)[0], table);
            }
            if (!jobs.isEmpty() && jobs.get(0)[1] == 1) continue; // as configured: left alone
            try (Statement st = c.createStatement()) {
                if (!jobs.isEmpty()) {
                    st.execute("SELECT remove_retention_policy('" + table + "', if_exists => true)");
                }
                st.execute("SELECT add_retention_policy('" + table + "', INTERVAL '" + config.raw().toSeconds()
                        + " seconds', if_not_exists => true)");
            }
            LOG.info("Retention: raw samples of {} kept {}", table, config.raw());
        }
    }

    private static String quote(String identifier) {
        if (!identifier.matches("[a-z_][a-z0-9_]*")) throw new IllegalArgumentException("bad identifier " + identifier);
        return "\"" + identifier + "\"";
    }
}
