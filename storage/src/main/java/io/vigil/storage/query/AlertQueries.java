package io.vigil.storage.query;

import com.fasterxml.jackson.core.type.TypeReference;
import io.vigil.model.AlertEvent;
import io.vigil.model.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** Reads alert episodes for the dashboard and the HTTP API. */
public final class AlertQueries {
    private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};
    private static final TypeReference<Map<String, Double>> EVIDENCE = new TypeReference<>() {};

    private final DataSource dataSource;

    public AlertQueries(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Newest first; {@code state} null means every state. */
    public List<AlertRow> list(AlertEvent.State state, int limit) throws SQLException {
        return state == null ? rows("ORDER BY starts_at DESC, fingerprint LIMIT ?", limit)
                : rows("WHERE state = ? ORDER BY starts_at DESC, fingerprint LIMIT ?", state.name(), limit);
    }

    /**
     * The alerts incidents are made of: every firing alert, and every alert that started at or after {@code since};
     * newest first, at most {@code limit}.
     */
    public List<AlertRow> forIncidents(Instant since, int limit) throws SQLException {
        return rows("WHERE state = 'FIRING' OR starts_at >= ? ORDER BY starts_at DESC, fingerprint LIMIT ?",
                Timestamp.from(since), limit);
    }

    /** Every episode of one incident: its root's (fingerprint {@code id}) and those of the alerts attached to it. */
    public List<AlertRow> incident(String id, int limit) throws SQLException {
        return rows("WHERE fingerprint = ? OR labels->>'incident' = ? ORDER BY starts_at DESC, fingerprint LIMIT ?",
                id, id, limit);
    }

    /** Alerts about one GPU (labels host and gpu) that overlap [from, to], oldest first. */
    public List<AlertRow> forGpu(String host, int gpu, Instant from, Instant to, int limit) throws SQLException {
        return rows("WHERE labels->>'host' = ? AND labels->>'gpu' = ? AND starts_at <= ? "
                        + "AND (ends_at IS NULL OR ends_at >= ?) ORDER BY starts_at LIMIT ?",
                host, String.valueOf(gpu), Timestamp.from(to), Timestamp.from(from), limit);
    }

    /** Alerts about one job (label job) that started at or after {@code since}, newest first. */
    public List<AlertRow> forJob(String job, Instant since, int limit) throws SQLException {
        return rows("WHERE labels->>'job' = ? AND (state = 'FIRING' OR starts_at >= ?) ORDER BY starts_at DESC LIMIT ?",
                job, Timestamp.from(since), limit);
    }

    private List<AlertRow> rows(String where, Object... params) throws SQLException {
        String sql = "SELECT fingerprint, type, severity, state, starts_at, ends_at, labels::text, summary, "
                + "evidence::text, updated_at FROM alert " + where;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            List<AlertRow> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new AlertRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            instant(rs.getTimestamp(5)), instant(rs.getTimestamp(6)), json(rs.getString(7), LABELS),
                            rs.getString(8), json(rs.getString(9), EVIDENCE), instant(rs.getTimestamp(10))));
                }
            }
            return rows;
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static <T> T json(String text, TypeReference<T> type) {
        try {
            return WireFormat.mapper().readValue(text, type);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt JSON column: " + text, e);
        }
    }
}
