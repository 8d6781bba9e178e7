-- On TimescaleDB (the distributed deployment) the sample tables become hypertables; on plain PostgreSQL (the
-- embedded demo) they stay ordinary tables, and everything else works the same.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
        CREATE EXTENSION IF NOT EXISTS timescaledb;
        PERFORM create_hypertable('gpu_sample', 'ts', chunk_time_interval => interval '1 hour', migrate_data => true);
        PERFORM create_hypertable('power_sample', 'ts', chunk_time_interval => interval '1 day', migrate_data => true);
        PERFORM create_hypertable('cooling_sample', 'ts', chunk_time_interval => interval '1 day', migrate_data => true);
    END IF;
END
$$;
