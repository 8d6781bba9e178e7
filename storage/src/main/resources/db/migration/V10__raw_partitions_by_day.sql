-- Raw samples partitioned by day on plain PostgreSQL, so retention drops a day's partition instead of deleting
-- billions of rows. Partitions are named <table>_pYYYYMMDD (UTC days); a DEFAULT partition takes any sample for a day
-- that has none yet, so nothing is ever refused. The writer creates partitions ahead and drops expired ones
-- (RetentionMaintainer). On TimescaleDB the tables are hypertables (V2) and are left as they are: its own retention
-- and compression policies apply.

-- Creates the missing day partitions of `parent` from first_day to last_day; rows already in the DEFAULT partition
-- for such a day are moved into it. Returns how many partitions it created.
CREATE OR REPLACE FUNCTION vigil_ensure_day_partitions(parent text, first_day date, last_day date)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    d date := first_day;
    made integer := 0;
    part text;
    lo text;
    hi text;
BEGIN
    WHILE d <= last_day LOOP
        part := parent || '_p' || to_char(d, 'YYYYMMDD');
        IF to_regclass(part) IS NULL THEN
            lo := to_char(d, 'YYYY-MM-DD') || ' 00:00:00+00';
            hi := to_char(d + 1, 'YYYY-MM-DD') || ' 00:00:00+00';
            EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS)', part, parent);
            IF to_regclass(parent || '_default') IS NOT NULL THEN
                EXECUTE format('WITH moved AS (DELETE FROM %I WHERE ts >= %L AND ts < %L RETURNING *) '
                               'INSERT INTO %I SELECT * FROM moved', parent || '_default', lo, hi, part);
            END IF;
            EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, part, lo, hi);
            made := made + 1;
        END IF;
        d := d + 1;
    END LOOP;
    RETURN made;
END
$$;

-- Turns an ordinary sample table into one partitioned by day, keeping every row.
CREATE OR REPLACE FUNCTION vigil_partition_by_day(tbl text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    old text := tbl || '_unpartitioned';
    first_day date;
    last_day date;
BEGIN
    IF (SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass(tbl)) = 'p' THEN
        RETURN;
    END IF;
    EXECUTE format('ALTER TABLE %I RENAME TO %I', tbl, old);
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS) PARTITION BY RANGE (ts)', tbl, old);
    EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', tbl || '_default', tbl);
    EXECUTE format('SELECT min(ts AT TIME ZONE ''UTC'')::date, max(ts AT TIME ZONE ''UTC'')::date FROM %I', old)
        INTO first_day, last_day;
    PERFORM vigil_ensure_day_partitions(tbl,
        LEAST(COALESCE(first_day, current_date), (now() AT TIME ZONE 'UTC')::date - 1),
        GREATEST(COALESCE(last_day, current_date), (now() AT TIME ZONE 'UTC')::date + 3));
    EXECUTE format('INSERT INTO %I SELECT * FROM %I', tbl, old);
    EXECUTE format('DROP TABLE %I', old);
END
$$;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
        PERFORM vigil_partition_by_day('gpu_sample');
        PERFORM vigil_partition_by_day('power_sample');
        PERFORM vigil_partition_by_day('cooling_sample');
        -- The indexes went with the old tables; on the partitioned ones they apply to every partition.
        CREATE INDEX IF NOT EXISTS gpu_sample_ts_idx ON gpu_sample (ts DESC);
        CREATE INDEX IF NOT EXISTS gpu_sample_gpu_ts_idx ON gpu_sample (cluster, host, gpu, ts DESC);
        CREATE INDEX IF NOT EXISTS power_sample_device_ts_idx ON power_sample (cluster, device, ts DESC);
        CREATE INDEX IF NOT EXISTS power_sample_source_ts_idx ON power_sample (source, ts);
        CREATE INDEX IF NOT EXISTS cooling_sample_device_ts_idx ON cooling_sample (cluster, device, ts DESC);
    END IF;
END
$$;
