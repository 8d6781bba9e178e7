package io.vigil.storage.query;

import io.vigil.model.WireFormat;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** On-call reads for the dashboard and the HTTP API: delivery attempts, silences, the demo inbox, on-call health. */
public final class NotificationQueries {

    private final DataSource dataSource;

    public NotificationQueries(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** One delivery attempt, as the API shows it. */
    public record Attempt(String notificationId, int attempt, String receiver, String receiverType, String target,
                          String incident, Instant incidentStartsAt, String action, String outcome, Instant at,
                          long latencyMs, Integer httpStatus, String error, String type, String severity, String team,
                          String summary) {}

    /** A silence, maintenance window or acknowledgement. */
    public record SilenceRow(String id, String kind, Object matchers, String incident, Instant startsAt, Instant endsAt,
                             String createdBy, String comment, Instant updatedAt, boolean active) {}

    /** A webhook the demo's inbox received. */
    public record InboxMessage(String notificationId, Instant receivedAt, String action, String status, String incident,
                               String receiver, String summary, int deliveries) {}

    /** Newest first; {@code incident} null for every incident. */
    public List<Attempt> attempts(String incident, int limit) throws SQLException {
        String sql = "SELECT notification_id, attempt, receiver, receiver_type, target, incident, incident_starts_at, "
                + "action, outcome, at, latency_ms, http_status, error, type, severity, team, summary "
                + "FROM notification_attempt " + (incident == null ? "" : "WHERE incident = ? ")
                + "ORDER BY at DESC, notification_id, attempt DESC LIMIT ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (incident != null) ps.setString(i++, incident);
            ps.setInt(i, limit);
            List<Attempt> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Attempt(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), instant(rs.getTimestamp(7)), rs.getString(8),
                            rs.getString(9), instant(rs.getTimestamp(10)), rs.getLong(11),
                            (Integer) rs.getObject(12), rs.getString(13), rs.getString(14), rs.getString(15),
                            rs.getString(16), rs.getString(17)));
                }
            }
            return out;
        }
    }

    private static final String SILENCE_COLUMNS = "SELECT id, kind, matchers::text, incident, starts_at, ends_at, "
            + "created_by, comment, updated_at, (starts_at <= now() AND (ends_at IS NULL OR ends_at > now())) FROM silence ";

    /** Silences and maintenance windows that are active or ended within {@code recent}, and acknowledgements. */
    public List<SilenceRow> silences(Duration recent, int limit) throws SQLException {
        return silenceRows(SILENCE_COLUMNS + "WHERE ends_at IS NULL OR ends_at > now() - (? * interval '1 second') "
                + "ORDER BY updated_at DESC LIMIT ?", recent.toSeconds(), limit);
    }

    /** An acknowledgement: who, and when. */
    public record AckRow(String incident, String by, Instant at) {}

    /** The newest acknowledgement of each of these incidents that has one. */
    public Map<String, AckRow> acknowledgements(java.util.Collection<String> incidents) throws SQLException {
        Map<String, AckRow> out = new java.util.HashMap<>();
        if (incidents.isEmpty()) return out;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT DISTINCT ON (incident) incident, created_by, starts_at FROM silence "
                        + "WHERE kind = 'ACK' AND incident = ANY (?) ORDER BY incident, starts_at DESC")) {
            ps.setArray(1, c.createArrayOf("text", incidents.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new AckRow(rs.getString(1), rs.getString(2), instant(rs.getTimestamp(3))));
                }
            }
        }
        return out;
    }

    /** One silence, maintenance window or acknowledgement by id, or null. */
    public SilenceRow silence(String id) throws SQLException {
        List<SilenceRow> rows = silenceRows(SILENCE_COLUMNS + "WHERE id = ?", id);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private List<SilenceRow> silenceRows(String sql, Object... params) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            List<SilenceRow> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Object matchers = WireFormat.mapper().readValue(rs.getString(3), Object.class);
                    out.add(new SilenceRow(rs.getString(1), rs.getString(2), matchers, rs.getString(4),
                            instant(rs.getTimestamp(5)), instant(rs.getTimestamp(6)), rs.getString(7),
                            rs.getString(8), instant(rs.getTimestamp(9)), rs.getBoolean(10)));
                }
            } catch (java.io.IOException e) {
                throw new SQLException("corrupt matchers column", e);
            }
            return out;
        }
    }

    /** Stores a webhook the inbox received; the same notification again counts up its deliveries. */
    public void receive(String notificationId, String action, String status, String incident, String receiver,
                        String summary, String body) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO inbox_message (notification_id, action, status, incident, receiver, summary, body) "
                        + "VALUES (?,?,?,?,?,?,?::jsonb) ON CONFLICT (notification_id) DO UPDATE SET "
                        + "deliveries = inbox_message.deliveries + 1")) {
            ps.setString(1, notificationId);
            ps.setString(2, action);
            ps.setString(3, status);
            ps.setString(4, incident);
            ps.setString(5, receiver);
            ps.setString(6, summary);
            ps.setString(7, body);
            ps.executeUpdate();
        }
    }

    public List<InboxMessage> inbox(int limit) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT notification_id, received_at, action, status, incident, receiver, summary, deliveries "
                        + "FROM inbox_message ORDER BY received_at DESC LIMIT ?")) {
            ps.setInt(1, limit);
            List<InboxMessage> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new InboxMessage(rs.getString(1), instant(rs.getTimestamp(2)), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getInt(8)));
                }
            }
            return out;
        }
    }

    /**
     * On-call health over the last {@code days}: pages (incidents paged, by their first delivered trigger) per day,
     * team and type; time to acknowledge and to resolve (median and p90, seconds); the noisiest types.
     */
    public Map<String, Object> health(int days) throws SQLException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("days", days);
        String paged = "SELECT DISTINCT ON (incident, incident_starts_at) incident, incident_starts_at, at, "
                + "COALESCE(team, '') AS team, type FROM notification_attempt WHERE action = 'TRIGGER' "
                + "AND outcome = 'DELIVERED' AND at > now() - (? * interval '1 day') "
                + "ORDER BY incident, incident_starts_at, at";
        try (Connection c = dataSource.getConnection()) {
            List<Map<String, Object>> perDay = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT date_trunc('day', at) AS day, team, type, count(*) "
                    + "FROM (" + paged + ") p GROUP BY 1, 2, 3 ORDER BY 1 DESC, 4 DESC")) {
                ps.setInt(1, days);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("day", rs.getTimestamp(1).toInstant().toString().substring(0, 10));
                        row.put("team", rs.getString(2).isEmpty() ? null : rs.getString(2));
                        row.put("type", rs.getString(3));
                        row.put("pages", rs.getLong(4));
                        perDay.add(row);
                    }
                }
            }
            out.put("pagesPerDay", perDay);
            List<Map<String, Object>> noisiest = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT type, count(*) FROM (" + paged + ") p "
                    + "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10")) {
                ps.setInt(1, days);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        noisiest.add(Map.of("type", rs.getString(1), "pages", rs.getLong(2)));
                    }
                }
            }
            out.put("noisiestTypes", noisiest);
            out.put("timeToAcknowledgeSeconds", percentiles(c, "SELECT EXTRACT(EPOCH FROM (min(s.starts_at) - "
                    + "p.incident_starts_at)) FROM (" + paged + ") p JOIN silence s ON s.kind = 'ACK' "
                    + "AND s.incident = p.incident AND s.starts_at >= p.incident_starts_at "
                    + "GROUP BY p.incident, p.incident_starts_at", days));
            out.put("timeToResolveSeconds", percentiles(c, "SELECT EXTRACT(EPOCH FROM (a.ends_at - a.starts_at)) "
                    + "FROM (" + paged + ") p JOIN alert a ON a.fingerprint = p.incident "
                    + "AND a.starts_at = p.incident_starts_at WHERE a.state = 'RESOLVED'", days));
        }
        return out;
    }

    private static Map<String, Object> percentiles(Connection c, String valuesSql, int days) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY v), "
                + "percentile_cont(0.9) WITHIN GROUP (ORDER BY v) FROM (" + valuesSql + ") x(v)")) {
            ps.setInt(1, days);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("count", rs.getLong(1));
                m.put("p50", rs.getObject(2) == null ? null : Math.round(rs.getDouble(2) * 10) / 10.0);
                m.put("p90", rs.getObject(3) == null ? null : Math.round(rs.getDouble(3) * 10) / 10.0);
                return m;
            }
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
