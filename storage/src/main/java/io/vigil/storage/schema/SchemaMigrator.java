package io.vigil.storage.schema;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** Creates or upgrades Vigil's schema with the Flyway migrations in {@code db/migration}. */
public final class SchemaMigrator {

    private SchemaMigrator() {}

    public static MigrateResult migrate(DataSource dataSource) {
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
        return Flyway.configure()
                .dataSource(jdbcUrl, user, password)
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }
}
