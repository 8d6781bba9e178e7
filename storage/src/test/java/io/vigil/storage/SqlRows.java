package io.vigil.storage;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** A query's rows as maps of column label to value (timestamps as ISO instants), for comparing SQL answers. */
final class SqlRows {
    private SqlRows() {}

    static List<Map<String, Object>> rows(DataSource db, String sql) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    row.put(md.getColumnLabel(i), v instanceof java.sql.Timestamp t ? t.toInstant().toString() : v);
                }
                out.add(row);
            }
        }
        return out;
    }
}
