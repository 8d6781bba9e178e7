package io.vigil.storage.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SchemaMigratorTest {

    @Test
    void aTimescalePackageThatIsNotPreloadedIsRefusedSayingWhatToSet() {
        // Installed package, no extension yet, not preloaded: V2 would end in TimescaleDB's FATAL.
        assertThat(SchemaMigrator.timescaleProblem(true, false, "pg_stat_statements", false))
                .contains("shared_preload_libraries = 'timescaledb'", "'pg_stat_statements'", "restart PostgreSQL",
                        "plain PostgreSQL");
        // The extension made earlier, the preload since removed.
        assertThat(SchemaMigrator.timescaleProblem(true, true, "", true)).contains("does not preload it");
        // Preloaded, alone or among others, quoted or not.
        assertThat(SchemaMigrator.timescaleProblem(true, false, "timescaledb", false)).isNull();
        assertThat(SchemaMigrator.timescaleProblem(true, true, "pg_stat_statements, \"timescaledb\"", true)).isNull();
        // Plain PostgreSQL; and a database migrated on plain PostgreSQL before the package came, which stays plain.
        assertThat(SchemaMigrator.timescaleProblem(false, false, "", false)).isNull();
        assertThat(SchemaMigrator.timescaleProblem(true, false, "", true)).isNull();
    }
}
