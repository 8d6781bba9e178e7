package io.vigil.storage.schema;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** Creates or upgrades Vigil's schema with the Flyway migrations in {@code db/migration}. */
public final class SchemaMigrator {

    private SchemaMigrator() {}

    public static MigrateResult migrate(DataSource dataSource) {
        try (java.sql.Connection c = dataSource.getConnection()) {
            checkTimescale(c);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot reach the database: " + e.getMessage(), e);
        }
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    /** The version the database's schema is at now (null for an empty database). */
    public static String currentVersion(String jdbcUrl, String user, String password) {
        var current = Flyway.configure().dataSource(jdbcUrl, user, password).locations("classpath:db/migration").load()
                .info().current();
        return current == null || current.getVersion() == null ? null : current.getVersion().getVersion();
    }

    public static MigrateResult migrate(String jdbcUrl, String user, String password) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(jdbcUrl, user, password)) {
            checkTimescale(c);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot reach the database at " + jdbcUrl + ": " + e.getMessage(), e);
        }
        return Flyway.configure()
                .dataSource(jdbcUrl, user, password)
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    /**
     * Refuses, saying what to set, a server where TimescaleDB would be used but is not preloaded: migration V2 would
     * otherwise end in TimescaleDB's FATAL "must be preloaded" (the package installed, the extension not yet made) or
     * every query on a hypertable would fail (the extension made earlier, the preload since removed).
     */
    static void checkTimescale(java.sql.Connection c) throws java.sql.SQLException {
        boolean available, installed, loaded, history;
        // timescaledb.max_background_workers is defined by TimescaleDB's loader, which only shared_preload_libraries
        // loads; any role may read it, where shared_preload_libraries needs pg_read_all_settings.
        try (java.sql.Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery(
                "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'), "
                + "EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'), "
                + "current_setting('timescaledb.max_background_workers', true) IS NOT NULL, "
                + "to_regclass('flyway_schema_history') IS NOT NULL")) {
            rs.next();
            available = rs.getBoolean(1);
            installed = rs.getBoolean(2);
            loaded = rs.getBoolean(3);
            history = rs.getBoolean(4);
        }
        if (loaded || !available) return;
        boolean v2Applied = false;
        if (history) {
            try (java.sql.Statement st = c.createStatement(); java.sql.ResultSet v = st.executeQuery(
                    "SELECT 1 FROM flyway_schema_history WHERE version = '2' AND success")) {
                v2Applied = v.next();
            }
        }
        String preload = null;
        try (java.sql.Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery(
                "SELECT current_setting('shared_preload_libraries')")) {
            if (rs.next()) preload = rs.getString(1);
        } catch (java.sql.SQLException notAllowed) {
            // only roles with pg_read_all_settings may read it; the message then says less
        }
        String problem = timescaleProblem(available, installed, false, preload, v2Applied);
        if (problem != null) throw new IllegalStateException(problem);
    }

    /**
     * Why the schema cannot be migrated on this server, or null.
     *
     * @param loaded                 the timescaledb library is loaded in the server (it is when preloaded)
     * @param sharedPreloadLibraries the server's setting, or null when this role may not read it
     */
    static String timescaleProblem(boolean available, boolean installed, boolean loaded, String sharedPreloadLibraries,
                                   boolean v2Applied) {
        if (loaded) return null;
        String set = "set shared_preload_libraries = 'timescaledb' in postgresql.conf ("
                + (sharedPreloadLibraries == null ? "keeping any libraries already listed there"
                : "keeping those already listed there: '" + sharedPreloadLibraries + "'")
                + ") and restart PostgreSQL";
        if (installed) {
            return "the database has the timescaledb extension but the server does not preload it, so its "
                    + "hypertables cannot be used: " + set;
        }
        if (available && !v2Applied) {
            return "the server has the timescaledb package installed but does not preload it, so the extension "
                    + "cannot be created: " + set + "; or remove the package to run Vigil on plain PostgreSQL";
        }
        return null;
    }
}
