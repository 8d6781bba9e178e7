package io.vigil.storage.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SchemaMigratorTest {

    @Test
    void aTimescalePackageThatIsNotPreloadedIsRefusedSayingWhatToSet() {
        // Installed package, no extension yet, not preloaded: V2 would end in TimescaleDB's FATAL.
        assertThat(SchemaMigrator.timescaleProblem(true, false, false, "pg_stat_statements", false))
                .contains("shared_preload_libraries = 'timescaledb'", "'pg_stat_statements'", "restart PostgreSQL",
                        "plain PostgreSQL");
        // The extension made earlier, the preload since removed.
        assertThat(SchemaMigrator.timescaleProblem(true, true, false, "", true)).contains("does not preload it");
        // A role that may not read shared_preload_libraries still gets what to set.
        assertThat(SchemaMigrator.timescaleProblem(true, false, false, null, false))
                .contains("shared_preload_libraries = 'timescaledb'", "keeping any libraries already listed");
        // Loaded (preloaded): nothing to say.
        assertThat(SchemaMigrator.timescaleProblem(true, false, true, null, false)).isNull();
        assertThat(SchemaMigrator.timescaleProblem(true, true, true, "pg_stat_statements,timescaledb", true)).isNull();
        // Plain PostgreSQL; and a database migrated on plain PostgreSQL before the package came, which stays plain.
        assertThat(SchemaMigrator.timescaleProblem(false, false, false, "", false)).isNull();
        assertThat(SchemaMigrator.timescaleProblem(true, false, false, "", true)).isNull();
    }
}
