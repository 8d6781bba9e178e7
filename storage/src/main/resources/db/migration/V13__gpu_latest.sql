-- The newest sample of every whole GPU (not its MIG instances): what the console's overview shows, kept by the
-- writer in the same transaction as the raw rows (and the Kafka offsets), so the console reads one row per GPU
-- instead of sorting the last seconds of gpu_sample, which at 16,384 GPUs a second was nearly all of its cost.
-- In-band samples (NVML, DCGM) win over a BMC's reading of the same GPU unless they are 15 s older than it
-- (TelemetryBatch's GpuLatest holds the rule). No index on ts: every update changes it, and without one the
-- updates stay in their page (HOT) and the table does not bloat; a scan of one row per GPU is cheap.
CREATE TABLE gpu_latest (
    cluster             text        NOT NULL,
    host                text        NOT NULL,
    gpu                 smallint    NOT NULL,
    row_name            text,
    rack                text,
    ts                  timestamptz NOT NULL,
    source              text,
    gpu_temp_c          real,
    slowdown_temp_c     real,
    power_w             real,
    gpu_util_pct        real,
    sm_clock_mhz        real,
    clock_event_reasons bigint,
    job_id              text,
    rank                integer,
    PRIMARY KEY (cluster, host, gpu)
) WITH (fillfactor = 50);

-- A database upgraded with data in it: the newest stored sample of each GPU seen in the last 15 minutes of data.
INSERT INTO gpu_latest (cluster, host, gpu, row_name, rack, ts, source, gpu_temp_c, slowdown_temp_c, power_w,
                        gpu_util_pct, sm_clock_mhz, clock_event_reasons, job_id, rank)
SELECT DISTINCT ON (cluster, host, gpu) cluster, host, gpu, row_name, rack, ts, source, gpu_temp_c, slowdown_temp_c,
       power_w, gpu_util_pct, sm_clock_mhz, clock_event_reasons, job_id, rank
FROM gpu_sample
WHERE mig_instance IS NULL AND ts > (SELECT max(ts) FROM gpu_sample) - interval '15 minutes'
ORDER BY cluster, host, gpu, (source = 'REDFISH') NULLS FIRST, ts DESC;
