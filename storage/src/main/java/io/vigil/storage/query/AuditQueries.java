package io.vigil.storage.query;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** The dashboard's audit log (table {@code audit_event}): who did what, when, from where, and whether it was allowed. */
public final class AuditQueries {

    public record AuditEvent(long id, Instant at, String actor, String action, String target, String outcome,
                             String remoteAddr, String detail) {}

    private final DataSource dataSource;

    public AuditQueries(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void record(String actor, String action, String target, String outcome, String remoteAddr, String detail)
            throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO audit_event (actor, action, target, outcome, remote_addr, detail) VALUES (?,?,?,?,?,?)")) {
            ps.setString(1, actor);
            ps.setString(2, action);
            ps.setString(3, target);
            ps.setString(4, outcome);
            ps.setString(5, remoteAddr);
            ps.setString(6, detail);
            ps.executeUpdate();
        }
    }

    /** Newest first; {@code actor} null for everyone. */
    public List<AuditEvent> list(String actor, int limit) throws SQLException {
        String sql = "SELECT id, at, actor, action, target, outcome, remote_addr, detail FROM audit_event "
                + (actor == null ? "" : "WHERE actor = ? ") + "ORDER BY at DESC, id DESC LIMIT ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (actor != null) ps.setString(i++, actor);
            ps.setInt(i, limit);
            List<AuditEvent> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new AuditEvent(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)));
                }
            }
            return out;
        }
    }
}
